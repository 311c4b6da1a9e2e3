"""Placing an order: lines priced from the catalog, never from the request."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from apps.catalog.interface import product_snapshots
from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish
from apps.orders import metrics
from apps.orders.errors import UnpaidHoldLimit
from apps.orders.events import OrderPlaced, PlacedLine
from apps.orders.models import Order, OrderLine
from apps.orders.selectors import unpaid_units_held
from apps.orders.services.idempotency import Claim, idempotency_note_work

MAX_LINES = 100
MAX_QUANTITY = 1000
CENT = Decimal("0.01")
# What the saga changes on an order after its placement.
SAGA_FIELDS = [
    "status",
    "status_reason",
    "reservation_id",
    "reservation_expires_at",
    "updated_at",
]


@dataclass(frozen=True)
class RequestedLine:
    product_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""


def _largest_amount() -> Decimal:
    """The largest amount the order's money columns hold (total, line total and
    payment amount share the precision), e.g. 999999999999.99 for 14 digits."""
    field = Order._meta.get_field("total")
    whole = field.max_digits - field.decimal_places
    return Decimal(10**whole) - Decimal(1).scaleb(-field.decimal_places)


def _check_amounts(
    lines: list[OrderLine],
    total: Decimal,
    currency: str,
    first_index: dict[uuid.UUID, int],
) -> None:
    """Refuse amounts the columns cannot hold (400, nothing stored): the catalog
    allows prices and quantities whose product does not fit."""
    largest = _largest_amount()
    too_large = f"is larger than the largest order amount, {largest}."
    errors = {
        str(first_index[line.product_id]): {
            "quantity": [f"The line total {line.line_total} {currency} {too_large}"]
        }
        for line in lines
        if line.line_total > largest
    }
    if errors:
        raise ValidationFailed({"items": errors})
    if total > largest:
        raise ValidationFailed(
            {"items": [f"The order total {total} {currency} {too_large}"]}
        )


def _merge(
    items: list[RequestedLine],
) -> tuple[dict[uuid.UUID, int], dict, dict[uuid.UUID, int]]:
    """Quantities per product (in first-seen order), per-line errors keyed by
    the line's index in the request (the shape DRF uses for lists), and the
    index of each product's first line."""
    merged: dict[uuid.UUID, int] = {}
    first_index: dict[uuid.UUID, int] = {}
    errors: dict[str, dict] = defaultdict(dict)
    for index, item in enumerate(items):
        first_index.setdefault(item.product_id, index)
        merged[item.product_id] = merged.get(item.product_id, 0) + item.quantity
    for product_id, quantity in merged.items():
        if quantity > MAX_QUANTITY:
            errors[str(first_index[product_id])]["quantity"] = [
                f"At most {MAX_QUANTITY} of one product per order "
                f"(lines for the same product add up to {quantity})."
            ]
    return merged, errors, first_index


def product_errors(*, product_ids: dict[int, uuid.UUID]) -> dict[str, dict]:
    """Per line index, the error of a product that is unknown or not for sale:
    the view adds them to its own field errors, so a client learns all at once."""
    snapshots = product_snapshots(product_ids=list(set(product_ids.values())))
    return _product_errors(product_ids, snapshots)


def _product_errors(product_ids: dict[int, uuid.UUID], snapshots: dict) -> dict:
    errors = {}
    for index, product_id in product_ids.items():
        snapshot = snapshots.get(product_id)
        if snapshot is None:
            errors[str(index)] = {"product_id": [f"Unknown product {product_id}."]}
        elif not snapshot.is_active:
            message = f"Product {product_id} is not available."
            errors[str(index)] = {"product_id": [message]}
    return errors


def order_place(
    *,
    user_id: uuid.UUID,
    items: list[RequestedLine],
    address: ShippingAddress,
    claim: Claim | None = None,
) -> Order:
    """Price and store an order (pending) with OrderPlaced in the outbox; with
    an Idempotency-Key `claim`, the claim notes the order in that transaction."""
    if not 1 <= len(items) <= MAX_LINES:
        raise ValidationFailed(
            {"items": [f"An order has between 1 and {MAX_LINES} lines."]}
        )
    merged, errors, first_index = _merge(items)
    snapshots = product_snapshots(product_ids=list(merged))
    product_ids = {index: item.product_id for index, item in enumerate(items)}
    for index, line_errors in _product_errors(product_ids, snapshots).items():
        errors[index].update(line_errors)
    currencies = {snapshots[pid].currency for pid in merged if pid in snapshots}
    if errors:
        raise ValidationFailed({"items": dict(errors)})
    if len(currencies) != 1:
        raise ValidationFailed(
            {"items": ["All products of one order must share a currency."]}
        )
    currency = currencies.pop()

    lines = []
    for product_id, quantity in merged.items():
        snapshot = snapshots[product_id]
        unit_price = snapshot.unit_price.quantize(CENT, rounding=ROUND_HALF_UP)
        lines.append(
            OrderLine(
                product_id=product_id,
                sku=snapshot.sku,
                name=snapshot.name,
                unit_price=unit_price,
                quantity=quantity,
                line_total=unit_price * quantity,
            )
        )
    total = sum((line.line_total for line in lines), Decimal("0.00"))
    _check_amounts(lines, total, currency, first_index)
    _check_unpaid_hold(user_id=user_id, merged=merged)

    order = Order(
        user_id=user_id,
        currency=currency,
        total=total,
        shipping_name=address.name,
        shipping_line1=address.line1,
        shipping_line2=address.line2,
        shipping_city=address.city,
        shipping_postal_code=address.postal_code,
        shipping_country=address.country,
    )
    _store(order, lines, claim)
    metrics.ORDERS_PLACED.inc()
    return _as_it_stands(order.with_details(lines=lines))


def _as_it_stands(order: Order) -> Order:
    """The new order as it stands after its commit. Delivered in-process, the
    saga ran during the commit, so the order's own row is read again (its lines
    are known; it has no payment or shipment yet). Through a broker it is
    `pending` as committed."""
    if settings.EVENTS_DELIVERY == "inprocess":
        order.refresh_from_db(fields=SAGA_FIELDS)
    return order


def _check_unpaid_hold(*, user_id: uuid.UUID, merged: dict[uuid.UUID, int]) -> None:
    limit = settings.ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT
    held = unpaid_units_held(user_id=user_id, product_ids=list(merged))
    over = [
        str(pid) for pid, units in merged.items() if held.get(pid, 0) + units > limit
    ]
    if over:
        raise UnpaidHoldLimit(product_ids=over, limit=limit)


def _placed_event(order: Order, lines: list[OrderLine]) -> OrderPlaced:
    return OrderPlaced(
        order_id=order.id,
        user_id=order.user_id,
        lines=tuple(
            PlacedLine(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in lines
        ),
        total=order.total,
        currency=order.currency,
    )


def _store(order: Order, lines: list[OrderLine], claim: Claim | None) -> None:
    """The order, its lines, OrderPlaced in the outbox (and the claim's note),
    in one transaction."""
    with atomic_for(Order):
        order.save(force_insert=True)
        for line in lines:
            line.order = order
        OrderLine.objects.bulk_create(lines)
        publish(_placed_event(order, lines))
        if claim is not None:
            idempotency_note_work(claim, order.id)
