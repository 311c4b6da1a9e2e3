"""Totals: worked examples of the rounding rule, gross and net, and a
property-based test over random carts, rates, vouchers and shipping."""

import uuid
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.orders.services.pricing import (
    PricedItem,
    Rates,
    VoucherTerms,
    compute,
    money,
)

D = Decimal
DE = Rates(standard=D("19"), reduced=D("7"))
A, B, C = (uuid.UUID(int=n) for n in (1, 2, 3))


def item(product_id, quantity, unit_price, tax_class="standard"):
    return PricedItem(
        product_id=product_id,
        quantity=quantity,
        unit_price=D(unit_price),
        tax_class=tax_class,
    )


def totals(items, *, voucher=None, shipping="0", gross=True, rates=DE, cur="EUR"):
    return compute(
        items=items,
        currency=cur,
        rates=rates,
        shipping_price=D(shipping),
        voucher=voucher,
        prices_include_tax=gross,
    )


def percent(value, target="order"):
    return VoucherTerms(code="SAVE", kind="percentage", target=target, value=D(value))


def fixed(value, target="order"):
    return VoucherTerms(code="OFF", kind="fixed", target=target, value=D(value))


def test_money_rounds_half_up_in_the_minor_unit():
    assert money(D("0.125"), "EUR") == D("0.13")
    assert money(D("0.124"), "EUR") == D("0.12")
    assert money(D("2.5"), "JPY") == D("3")
    assert money(D("2.5"), "jpy") == D("3")
    assert money(D("1.0005"), "KWD") == D("1.001")


def test_gross_prices_carry_their_tax_per_line_and_on_shipping():
    result = totals(
        [item(A, 2, "11.90"), item(B, 1, "10.70", "reduced")], shipping="5.95"
    )

    assert [(line.line_total, line.tax) for line in result.lines] == [
        (D("23.80"), D("3.80")),
        (D("10.70"), D("0.70")),
    ]
    assert result.subtotal == D("34.50")
    assert result.shipping == D("5.95")
    # 5.95 * 19 / 119 = 0.95
    assert result.tax == D("5.45")
    assert result.total == D("40.45")
    assert result.discount == D("0")
    assert result.voucher_code is None


def test_net_prices_add_their_tax_to_the_total():
    result = totals([item(A, 3, "10.00")], shipping="5.00", gross=False)

    assert result.lines[0].tax == D("5.70")
    assert result.tax == D("6.65")
    assert result.total == D("41.65")


def test_a_percentage_on_the_order_is_shared_over_the_lines_before_their_tax():
    result = totals(
        [item(A, 1, "10.00"), item(B, 1, "20.00", "reduced")],
        voucher=percent("10"),
        shipping="4.90",
    )

    assert result.discount == D("3.00")
    # A carries 1.00 of the discount, B 2.00: tax of 9.00 at 19 %, 18.00 at 7 %.
    assert [line.tax for line in result.lines] == [D("1.44"), D("1.18")]
    assert result.tax == D("1.44") + D("1.18") + D("0.78")
    assert result.total == D("31.90")
    assert result.voucher_code == "SAVE"


def test_the_discount_share_left_by_rounding_goes_to_the_largest_remainder():
    result = totals(
        [item(A, 1, "1.00"), item(B, 1, "1.00"), item(C, 1, "1.00")],
        voucher=fixed("1.00"),
        rates=Rates(standard=D("100"), reduced=D("100")),
    )

    # Shares 0.34, 0.33, 0.33 (the tie goes to the first line): tax halves each.
    assert [line.tax for line in result.lines] == [D("0.33"), D("0.34"), D("0.34")]
    assert result.discount == D("1.00")
    assert result.total == D("2.00")


def test_the_rounding_remainder_goes_to_the_line_that_lost_most():
    result = totals(
        [item(A, 1, "1.00"), item(B, 1, "2.00")],
        voucher=fixed("0.10"),
        rates=Rates(standard=D("100"), reduced=D("100")),
        gross=False,
    )

    # Exact shares 0.033 and 0.067: B's remainder is larger, so 0.03 and 0.07.
    assert [line.tax for line in result.lines] == [D("0.97"), D("1.93")]


def test_an_empty_cart_costs_its_shipping():
    result = totals([], voucher=fixed("5"), shipping="4.90")

    assert (result.subtotal, result.discount, result.tax) == (D(0), D(0), D("0.78"))
    assert result.total == D("4.90")
    assert result.lines == ()


def test_a_fixed_amount_never_takes_more_than_the_goods():
    result = totals([item(A, 1, "5.00")], voucher=fixed("20"), shipping="3.00")

    assert result.discount == D("5.00")
    assert result.lines[0].tax == D("0.00")
    assert result.total == D("3.00")


def test_a_shipping_voucher_discounts_shipping_only():
    result = totals(
        [item(A, 1, "50.00")], voucher=percent("100", "shipping"), shipping="4.99"
    )

    assert result.discount == D("4.99")
    assert result.lines[0].tax == D("7.98")
    assert result.tax == D("7.98")
    assert result.total == D("50.00")


def test_a_fixed_shipping_voucher_is_capped_by_the_shipping_price():
    result = totals(
        [item(A, 1, "50.00")], voucher=fixed("10", "shipping"), shipping="4.99"
    )

    assert result.discount == D("4.99")
    assert result.total == D("50.00")


def test_a_country_without_rates_is_not_taxed():
    result = totals(
        [item(A, 2, "9.99")], shipping="1.00", rates=Rates(standard=D(0), reduced=D(0))
    )

    assert result.tax == D("0.00")
    assert result.total == D("20.98")


def test_yen_have_no_minor_unit():
    result = totals([item(A, 3, "333")], voucher=percent("10"), cur="JPY", gross=False)

    assert result.discount == D("100")
    assert result.lines[0].tax == D("171")
    assert result.total == D("1070")


# --- properties -------------------------------------------------------------------

prices = st.decimals(min_value=D("0"), max_value=D("99999.99"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("100"), places=2)
lines = st.lists(
    st.builds(
        item,
        product_id=st.uuids(),
        quantity=st.integers(min_value=1, max_value=1000),
        unit_price=prices,
        tax_class=st.sampled_from(["standard", "reduced"]),
    ),
    max_size=12,
)
vouchers = st.none() | st.builds(
    VoucherTerms,
    code=st.just("CODE"),
    kind=st.sampled_from(["percentage", "fixed"]),
    target=st.sampled_from(["order", "shipping"]),
    value=st.decimals(min_value=D("0.01"), max_value=D("100"), places=2)
    | st.decimals(min_value=D("0.01"), max_value=D("999999"), places=2),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=lines,
    standard=rates,
    reduced=rates,
    shipping=prices,
    voucher=vouchers,
    gross=st.booleans(),
)
def test_totals_always_add_up(items, standard, reduced, shipping, voucher, gross):
    if voucher is not None and voucher.kind == "percentage":
        voucher = VoucherTerms(
            code=voucher.code,
            kind=voucher.kind,
            target=voucher.target,
            value=min(voucher.value, D("100")),
        )
    result = compute(
        items=items,
        currency="EUR",
        rates=Rates(standard=standard, reduced=reduced),
        shipping_price=shipping,
        voucher=voucher,
        prices_include_tax=gross,
    )

    cent = D("0.01")
    amounts = [result.subtotal, result.discount, result.shipping, result.tax]
    amounts += [result.total] + [line.tax for line in result.lines]
    assert all(amount >= 0 for amount in amounts)
    assert all(amount == amount.quantize(cent) for amount in amounts)
    added = result.subtotal - result.discount + result.shipping
    assert result.total == (added if gross else added + result.tax)
    assert result.subtotal == sum((line.line_total for line in result.lines), D(0))
    goods_tax = sum((line.tax for line in result.lines), D(0))
    assert result.tax - goods_tax >= 0
    assert result.tax - goods_tax <= result.shipping
    target = voucher.target if voucher else None
    assert result.discount <= (
        result.shipping if target == "shipping" else result.subtotal
    )
    if voucher is None:
        assert result.discount == 0
    for line, given_item in zip(result.lines, items, strict=True):
        # Tax never exceeds what the line is charged (gross: part of it; net: at
        # most 100 % on top).
        assert line.tax <= line.line_total
        assert line.line_total == money(
            given_item.unit_price * given_item.quantity, "EUR"
        )
    if gross:
        assert result.tax <= result.total


@pytest.mark.parametrize("gross", [True, False])
def test_line_taxes_equal_the_tax_of_the_goods_charged(gross):
    # Shipping free and no shipping discount: every cent of tax is a line's.
    result = totals(
        [item(A, 7, "3.33"), item(B, 3, "0.99", "reduced"), item(C, 1, "12.00")],
        voucher=fixed("5.55"),
        gross=gross,
    )

    assert result.tax == sum((line.tax for line in result.lines), D(0))


def test_discount_shares_are_rounded_down_before_the_remainder_is_shared():
    result = totals(
        [item(A, 1, "1.00"), item(B, 1, "1.00"), item(C, 1, "1.00")],
        voucher=fixed("0.05"),
        rates=Rates(standard=D("100"), reduced=D("100")),
    )

    # Exact shares 0.0167 each: 0.01 each, the 0.02 left to the first two.
    assert [line.tax for line in result.lines] == [D("0.49"), D("0.49"), D("0.50")]
    assert result.discount == D("0.05")


def test_a_priced_line_keeps_its_quantity_and_unit_price():
    result = totals([item(A, 3, "2.50")])

    assert [(line.quantity, line.unit_price) for line in result.lines] == [
        (3, D("2.50"))
    ]
