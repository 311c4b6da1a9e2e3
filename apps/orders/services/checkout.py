"""Checking out a cart: the order is placed by the one placement service
(priced, the voucher redeemed and the cart emptied in its transaction)."""

import uuid

from apps.catalog.interface import product_snapshots
from apps.common.errors import ValidationFailed
from apps.orders.errors import CartChanged
from apps.orders.models import Cart, CartLine, Order
from apps.orders.services.cart import LINE_OK, line_status
from apps.orders.services.idempotency import Claim
from apps.orders.services.placement import (
    CheckoutDetails,
    RequestedLine,
    ShippingAddress,
    order_place,
)


def cart_checkout(
    *,
    cart: Cart,
    user_id: uuid.UUID | None,
    email: str,
    address: ShippingAddress,
    billing: ShippingAddress | None,
    shipping_method_id: uuid.UUID,
    voucher_code: str | None,
    claim: Claim | None = None,
) -> Order:
    """Place the cart's lines as an order; 400 on `cart` when it is empty or
    holds a line that cannot be bought (its reason named)."""
    lines = {line.product_id: line.quantity for line in cart.lines.all()}
    _check_lines(lines)
    return order_place(
        user_id=user_id,
        items=[RequestedLine(product_id=p, quantity=q) for p, q in lines.items()],
        address=address,
        claim=claim,
        checkout=CheckoutDetails(
            email=email,
            billing=billing,
            shipping_method_id=shipping_method_id,
            voucher_code=voucher_code,
            within=lambda order: _empty_cart(cart.id, lines),
        ),
    )


def _check_lines(lines: dict[uuid.UUID, int]) -> None:
    if not lines:
        raise ValidationFailed({"cart": ["The cart is empty."]})
    snapshots = product_snapshots(product_ids=list(lines))
    flagged = {
        pid: status
        for pid in lines
        if (status := line_status(snapshots.get(pid))) != LINE_OK
    }
    if flagged:
        raise ValidationFailed(
            {
                "cart": [
                    f"Product {pid} cannot be bought ({status}); remove it first."
                    for pid, status in flagged.items()
                ]
            }
        )


def _empty_cart(cart_id: uuid.UUID, ordered: dict[uuid.UUID, int]) -> None:
    """In the order's transaction: the cart must still hold what was ordered
    (a second checkout of the same cart, or a change meanwhile, is a 409 and
    rolls that order back)."""
    Cart.objects.select_for_update().filter(pk=cart_id).first()
    lines = CartLine.objects.filter(cart_id=cart_id)
    if dict(lines.values_list("product_id", "quantity")) != ordered:
        raise CartChanged("The cart changed while checking out; review it and retry.")
    lines.delete()
