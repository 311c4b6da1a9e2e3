"""Reads of the inventory (private)."""

import uuid
from collections.abc import Iterable

from django.db.models import Sum

from apps.inventory.errors import StockItemNotFound
from apps.inventory.models import (
    Reservation,
    ReservationLine,
    StockItem,
    StockMovement,
)


def stock_item_get(*, product_id: uuid.UUID) -> StockItem:
    item = StockItem.objects.filter(pk=product_id).first()
    if item is None:
        raise StockItemNotFound()
    return item


def stock_item_list(*, product_ids: Iterable[uuid.UUID]) -> list[StockItem]:
    return list(StockItem.objects.filter(pk__in=list(product_ids)))


def stock_violations(*, product_ids: Iterable[uuid.UUID] | None = None) -> list[str]:
    """Every broken invariant (of all items, or of `product_ids`), one message
    each: 0 <= reserved <= on hand, reserved = the sum of active reservations,
    on hand and reserved = the sums of the ledger."""
    items = StockItem.objects.order_by("pk")
    lines = ReservationLine.objects.filter(
        reservation__status=Reservation.Status.ACTIVE
    )
    movements = StockMovement.objects.all()
    if product_ids is not None:
        product_ids = list(product_ids)
        items = items.filter(pk__in=product_ids)
        lines = lines.filter(product_id__in=product_ids)
        movements = movements.filter(stock_item_id__in=product_ids)
    active = dict(lines.values_list("product_id").annotate(total=Sum("quantity")))
    ledger = {
        row["stock_item_id"]: (row["on_hand"], row["reserved"])
        for row in movements.values("stock_item_id").annotate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
    }
    violations = []
    for pid, on_hand, reserved in items.values_list("pk", "on_hand", "reserved"):
        held = active.pop(pid, 0)
        ledger_on_hand, ledger_reserved = ledger.get(pid, (0, 0))
        if reserved < 0:
            violations.append(f"{pid}: reserved {reserved} is negative")
        if reserved > on_hand:
            violations.append(f"{pid}: reserved {reserved} exceeds on hand {on_hand}")
        if reserved != held:
            violations.append(
                f"{pid}: reserved {reserved} but active reservations hold {held}"
            )
        if on_hand != ledger_on_hand:
            violations.append(
                f"{pid}: on hand {on_hand} but the ledger sums to {ledger_on_hand}"
            )
        if reserved != ledger_reserved:
            violations.append(
                f"{pid}: reserved {reserved} but the ledger sums to {ledger_reserved}"
            )
    for pid, held in sorted(active.items()):
        violations.append(f"{pid}: active reservations hold {held} of a missing item")
    return violations
