"""Server-side carts: a customer's (one open cart each) or a guest's (found by
the SHA-256 of an unguessable token). Prices and availability are never
stored: every read asks the catalog and the inventory (one batched call each)
and prices the lines afresh."""

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from apps.catalog.interface import product_snapshots
from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.inventory.interface import stock_availability
from apps.orders.errors import CartDoesNotExist
from apps.orders.models import Cart, CartLine
from apps.orders.services import pricing
from apps.orders.services.placement import MAX_LINES, MAX_QUANTITY

# Why a line cannot be bought as it is; such lines block the checkout.
LINE_OK = "ok"
PRODUCT_INACTIVE = "product_inactive"
PRODUCT_UNKNOWN = "product_unknown"
LINE_STATUSES = [LINE_OK, PRODUCT_INACTIVE, PRODUCT_UNKNOWN]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cart_create_guest() -> tuple[Cart, str]:
    """A new guest cart and its token (shown once; only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    with atomic_for(Cart):
        cart = Cart.objects.create(token_hash=token_hash(token))
    return cart, token


def cart_of_guest(*, token: str) -> Cart:
    cart = Cart.objects.filter(token_hash=token_hash(token)).first()
    if cart is None:
        raise CartDoesNotExist("No cart for this Cart-Token (it may have expired).")
    return cart


def cart_of_customer(*, user_id: uuid.UUID) -> Cart:
    """The customer's open cart, made on first use."""
    cart = Cart.objects.filter(user_id=user_id).first()
    if cart is not None:
        return cart
    with atomic_for(Cart):
        cart, _ = Cart.objects.get_or_create(user_id=user_id)
    return cart


def cart_merge(*, user_id: uuid.UUID, token: str) -> Cart:
    """Move a guest cart into the customer's: quantities of one product add
    up, capped at MAX_QUANTITY; the guest cart and its token end. An unknown
    token merges nothing (it was merged already, or expired)."""
    target = cart_of_customer(user_id=user_id)
    with atomic_for(Cart):
        guest = (
            Cart.objects.select_for_update()
            .filter(token_hash=token_hash(token))
            .first()
        )
        if guest is None:
            return target
        Cart.objects.select_for_update().filter(pk=target.pk).first()
        for line in guest.lines.all():
            _line_add(target, line.product_id, line.quantity, cap=True)
        guest.delete()
        _touch(target)
    return target


def cart_line_add(*, cart: Cart, product_id: uuid.UUID, quantity: int) -> None:
    """Add `quantity` of a product (to a line of that product if there is
    one); 400 on `product_id` for an unknown or inactive product or another
    currency, on `quantity` above MAX_QUANTITY in all."""
    _check_product(cart, product_id)
    with atomic_for(Cart):
        locked = Cart.objects.select_for_update().get(pk=cart.pk)
        _line_add(locked, product_id, quantity, cap=False)
        _touch(locked)


def cart_line_set(*, cart: Cart, product_id: uuid.UUID, quantity: int) -> None:
    """Set a line's quantity (1..MAX_QUANTITY); 404 for a product not in the
    cart. The product may have become inactive meanwhile: that line stays."""
    with atomic_for(Cart):
        locked = Cart.objects.select_for_update().get(pk=cart.pk)
        if not locked.lines.filter(product_id=product_id).update(quantity=quantity):
            raise CartDoesNotExist(f"Product {product_id} is not in the cart.")
        _touch(locked)


def cart_line_remove(*, cart: Cart, product_id: uuid.UUID) -> None:
    with atomic_for(Cart):
        locked = Cart.objects.select_for_update().get(pk=cart.pk)
        deleted, _ = locked.lines.filter(product_id=product_id).delete()
        if not deleted:
            raise CartDoesNotExist(f"Product {product_id} is not in the cart.")
        _touch(locked)


def carts_expire(*, now: dt.datetime | None = None) -> int:
    """Delete carts untouched for CART_TTL_HOURS; returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.CART_TTL_HOURS)
    with atomic_for(Cart):
        _, per_model = Cart.objects.filter(updated_at__lt=cutoff).delete()
    return per_model.get(Cart._meta.label, 0)


def _touch(cart: Cart) -> None:
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())


def _check_product(cart: Cart, product_id: uuid.UUID) -> None:
    snapshot = product_snapshots(product_ids=[product_id]).get(product_id)
    if snapshot is None:
        raise ValidationFailed({"product_id": [f"Unknown product {product_id}."]})
    if not snapshot.is_active:
        message = f"Product {product_id} is not available."
        raise ValidationFailed({"product_id": [message]})
    currency = _cart_currency(cart, exclude=product_id)
    if currency not in (None, snapshot.currency):
        raise ValidationFailed(
            {"product_id": [f"The cart holds products priced in {currency}."]}
        )


def _cart_currency(cart: Cart, *, exclude: uuid.UUID) -> str | None:
    """The currency of the cart's other lines; all are asked, since the
    catalog may no longer know the first."""
    ids = list(
        cart.lines.exclude(product_id=exclude).values_list("product_id", flat=True)
    )
    snapshots = product_snapshots(product_ids=ids) if ids else {}
    return next((s.currency for s in snapshots.values()), None)


def _line_add(cart: Cart, product_id: uuid.UUID, quantity: int, *, cap: bool):
    line = cart.lines.filter(product_id=product_id).first()
    if line is None:
        if cart.lines.count() >= MAX_LINES and not cap:
            raise ValidationFailed(
                {"product_id": [f"A cart holds at most {MAX_LINES} lines."]}
            )
        CartLine.objects.create(
            cart=cart, product_id=product_id, quantity=min(quantity, MAX_QUANTITY)
        )
        return
    total = line.quantity + quantity
    if total > MAX_QUANTITY and not cap:
        raise ValidationFailed(
            {
                "quantity": [
                    f"At most {MAX_QUANTITY} of one product (this makes {total})."
                ]
            }
        )
    CartLine.objects.filter(pk=line.pk).update(
        quantity=F("quantity") + min(quantity, MAX_QUANTITY - line.quantity)
    )


# --- reading a cart with live prices --------------------------------------------


@dataclass(frozen=True)
class CartLineView:
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    unit_price: Decimal | None
    line_total: Decimal | None
    tax: Decimal | None
    in_stock: bool
    status: str


@dataclass(frozen=True)
class CartView:
    id: uuid.UUID
    lines: tuple[CartLineView, ...]
    totals: pricing.Totals
    blockers: tuple[str, ...]
    updated_at: dt.datetime


def cart_view(
    *, cart: Cart, country: str = "", voucher_code: str | None = None
) -> CartView:
    """The cart as it is now: live prices and stock, totals without shipping."""
    lines = list(cart.lines.all())
    ids = [line.product_id for line in lines]
    snapshots = product_snapshots(product_ids=ids) if ids else {}
    stock = stock_availability(product_ids=ids) if ids else {}
    totals = cart_totals(
        lines=lines,
        snapshots=snapshots,
        country=country,
        shipping_price=Decimal("0.00"),
        voucher_code=voucher_code,
        customer_id=cart.user_id,
    )
    priced = {line.product_id: line for line in totals.lines}
    views = tuple(_line_view(line, snapshots, stock, priced) for line in lines)
    return CartView(
        id=cart.id,
        lines=views,
        totals=totals,
        blockers=_blockers(views),
        updated_at=cart.updated_at,
    )


def line_status(snapshot) -> str:
    if snapshot is None:
        return PRODUCT_UNKNOWN
    return LINE_OK if snapshot.is_active else PRODUCT_INACTIVE


def priced_items(lines, snapshots: dict) -> list:
    """The lines whose product is for sale, as the pricing's input."""
    return [
        pricing.PricedItem(
            product_id=line.product_id,
            quantity=line.quantity,
            unit_price=snapshots[line.product_id].unit_price,
            tax_class=snapshots[line.product_id].tax_class,
        )
        for line in lines
        if line_status(snapshots.get(line.product_id)) == LINE_OK
    ]


def cart_totals(
    *,
    lines,
    snapshots: dict,
    country: str,
    shipping_price: Decimal,
    voucher_code: str | None = None,
    customer_id: uuid.UUID | None = None,
) -> pricing.Totals:
    items = priced_items(lines, snapshots)
    currencies = {snapshots[item.product_id].currency for item in items}
    currency = currencies.pop() if currencies else settings.DEFAULT_CURRENCY
    return pricing.price(
        items=items,
        currency=currency,
        country=country,
        shipping_price=shipping_price,
        voucher_code=voucher_code or None,
        customer_id=customer_id,
    )


def _line_view(line, snapshots, stock, priced) -> CartLineView:
    snapshot = snapshots.get(line.product_id)
    price = priced.get(line.product_id)
    available = stock.get(line.product_id)
    return CartLineView(
        product_id=line.product_id,
        sku=snapshot.sku if snapshot else "",
        name=snapshot.name if snapshot else "",
        quantity=line.quantity,
        unit_price=price.unit_price if price else None,
        line_total=price.line_total if price else None,
        tax=price.tax if price else None,
        in_stock=available is not None and available.available >= line.quantity,
        status=line_status(snapshot),
    )


def _blockers(views: tuple[CartLineView, ...]) -> tuple[str, ...]:
    if not views:
        return ("cart_empty",)
    return tuple(sorted({v.status for v in views if v.status != LINE_OK}))
