"""The one computation of a cart's or an order's totals: lines, discount,
shipping, tax and total (docs/orders.md "Tax and vouchers").

Rounding rule: every amount is rounded once, where it is made, to the
currency's minor unit with ROUND_HALF_UP: each line total, each line's share of
a discount, each line's tax, the shipping discount and the shipping tax. Sums
are of rounded amounts, so `subtotal - discount + shipping (+ tax when prices
are net) == total` holds exactly and the lines' taxes add up to the goods' tax.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.conf import settings

from apps.orders.currencies import minor_digits
from apps.orders.errors import VoucherRefused
from apps.orders.models import TaxRate, VoucherKind, VoucherTarget
from apps.orders.services.vouchers import (
    redeem_voucher,
    release_voucher,
    voucher_check,
)

__all__ = [
    "LinePrice",
    "PricedItem",
    "Rates",
    "Totals",
    "VoucherTerms",
    "compute",
    "money",
    "price",
    "redeem_voucher",
    "release_voucher",
    "tax_rates",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class PricedItem:
    """One cart or order line as input; `unit_price` is the catalog's price,
    gross or net per settings.PRICES_INCLUDE_TAX."""

    product_id: uuid.UUID
    quantity: int
    unit_price: Decimal
    tax_class: str  # "standard" | "reduced"


@dataclass(frozen=True)
class LinePrice:
    """A priced line: `line_total` before any discount, `tax` after the line's
    share of an order discount."""

    product_id: uuid.UUID
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    currency: str
    lines: tuple[LinePrice, ...]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    voucher_code: str | None  # the code applied; None if none or refused
    voucher_refusal: str | None  # why a given voucher was refused, else None


@dataclass(frozen=True)
class Rates:
    """A country's VAT rates in percent."""

    standard: Decimal
    reduced: Decimal

    def for_class(self, tax_class: str) -> Decimal:
        return self.reduced if tax_class == "reduced" else self.standard


NO_TAX = Rates(standard=ZERO, reduced=ZERO)


@dataclass(frozen=True)
class VoucherTerms:
    """What a usable voucher takes off: `value` percent or an amount, of the
    goods (`order`) or of the shipping."""

    code: str
    kind: str  # VoucherKind
    target: str  # VoucherTarget
    value: Decimal


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_digits(currency))


def money(amount: Decimal, currency: str) -> Decimal:
    """`amount` in the currency's minor unit, half up: the one rounding rule."""
    return Decimal(amount).quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def tax_rates(*, country: str | None) -> Rates:
    """The country's rates; a country without a TaxRate row is not taxed."""
    if not country:
        return NO_TAX
    row = (
        TaxRate.objects.filter(country=country.upper())
        .values("standard_rate", "reduced_rate")
        .first()
    )
    if row is None:
        return NO_TAX
    return Rates(standard=row["standard_rate"], reduced=row["reduced_rate"])


def price(
    *,
    items: Sequence[PricedItem],
    currency: str,
    country: str | None,
    shipping_price: Decimal,
    voucher_code: str | None = None,
    customer_id: uuid.UUID | None = None,
    email: str | None = None,
) -> Totals:
    """Totals of `items` shipped to `country`, with the voucher if it is usable
    by this customer (or e-mail address) now; a refused voucher is reported in
    `voucher_refusal` and takes nothing off."""
    terms, refusal = None, None
    if voucher_code and voucher_code.strip():
        subtotal = sum((_line_total(item, currency) for item in items), start=ZERO)
        try:
            voucher = voucher_check(
                code=voucher_code, customer_id=customer_id, email=email
            )
            if subtotal < voucher.minimum_spend:
                raise VoucherRefused(code="voucher_minimum_spend")
        except VoucherRefused as refused:
            refusal = refused.code
        else:
            terms = VoucherTerms(
                code=voucher.code,
                kind=voucher.kind,
                target=voucher.target,
                value=voucher.value,
            )
    totals = compute(
        items=items,
        currency=currency,
        rates=tax_rates(country=country),
        shipping_price=shipping_price,
        voucher=terms,
        prices_include_tax=settings.PRICES_INCLUDE_TAX,
    )
    if refusal is None:
        return totals
    return replace(totals, voucher_refusal=refusal)


def compute(
    *,
    items: Sequence[PricedItem],
    currency: str,
    rates: Rates,
    shipping_price: Decimal,
    voucher: VoucherTerms | None,
    prices_include_tax: bool,
) -> Totals:
    """The totals, without any database: what `price` computes once it has the
    rates and the voucher."""
    line_totals = [_line_total(item, currency) for item in items]
    subtotal = sum(line_totals, start=ZERO)
    shipping = money(shipping_price, currency)
    goods_discount = shipping_discount = ZERO
    if voucher is not None and voucher.target == VoucherTarget.SHIPPING:
        shipping_discount = _discount(voucher, base=shipping, currency=currency)
    elif voucher is not None:
        goods_discount = _discount(voucher, base=subtotal, currency=currency)
    shares = _allocate(goods_discount, line_totals, currency=currency)
    lines = tuple(
        LinePrice(
            product_id=item.product_id,
            quantity=item.quantity,
            unit_price=item.unit_price,
            line_total=total,
            tax=_tax(
                total - share,
                rates.for_class(item.tax_class),
                currency=currency,
                included=prices_include_tax,
            ),
        )
        for item, total, share in zip(items, line_totals, shares, strict=True)
    )
    shipping_tax = _tax(
        shipping - shipping_discount,
        rates.standard,
        currency=currency,
        included=prices_include_tax,
    )
    tax = sum((line.tax for line in lines), start=shipping_tax)
    discount = goods_discount + shipping_discount
    total = subtotal - discount + shipping + (ZERO if prices_include_tax else tax)
    return Totals(
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        tax=tax,
        total=total,
        voucher_code=voucher.code if voucher is not None else None,
        voucher_refusal=None,
    )


def _line_total(item: PricedItem, currency: str) -> Decimal:
    return money(item.unit_price * item.quantity, currency)


def _discount(voucher: VoucherTerms, *, base: Decimal, currency: str) -> Decimal:
    """What the voucher takes off `base`, never more than `base`."""
    if voucher.kind == VoucherKind.PERCENTAGE:
        amount = money(base * voucher.value / HUNDRED, currency)
    else:
        amount = money(voucher.value, currency)
    return min(amount, base)


def _allocate(
    discount: Decimal, amounts: Iterable[Decimal], *, currency: str
) -> list[Decimal]:
    """`discount` split over `amounts` in proportion, in whole minor units that
    add up to it exactly (largest remainder; ties to the earlier line); no
    share exceeds its amount."""
    amounts = list(amounts)
    unit = minor_unit(currency)
    whole = sum(amounts, start=ZERO)
    if whole == ZERO:
        return [ZERO] * len(amounts)
    exact = [discount * amount / whole for amount in amounts]
    shares = [share.quantize(unit, rounding=ROUND_FLOOR) for share in exact]
    left = int((discount - sum(shares, start=ZERO)) / unit)
    by_remainder = sorted(range(len(amounts)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[:left]:
        shares[i] += unit
    return shares


def _tax(amount: Decimal, rate: Decimal, *, currency: str, included: bool) -> Decimal:
    """The tax in `amount` (gross prices) or on it (net prices)."""
    if included:
        return money(amount * rate / (HUNDRED + rate), currency)
    return money(amount * rate / HUNDRED, currency)
