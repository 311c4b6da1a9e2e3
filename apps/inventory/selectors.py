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


def stock_violations() -> list[str]:
    """Every broken invariant, one message each: 0 <= reserved <= on hand,
    reserved = the sum of active reservations, on hand and reserved = the sums
    of the ledger."""
    active = dict(
        ReservationLine.objects.filter(reservation__status=Reservation.Status.ACTIVE)
        .values_list("product_id")
        .annotate(total=Sum("quantity"))
    )
    ledger = {
        row["stock_item_id"]: (row["on_hand"], row["reserved"])
        for row in StockMovement.objects.values("stock_item_id").annotate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
    }
    violations = []
    for item in StockItem.objects.order_by("pk").iterator():
        pid = item.product_id
        ledger_on_hand, ledger_reserved = ledger.get(pid, (0, 0))
        if item.reserved < 0:
            violations.append(f"{pid}: reserved {item.reserved} is negative")
        if item.reserved > item.on_hand:
            violations.append(
                f"{pid}: reserved {item.reserved} exceeds on hand {item.on_hand}"
            )
        if item.reserved != active.get(pid, 0):
            violations.append(
                f"{pid}: reserved {item.reserved} but active reservations"
                f" hold {active.get(pid, 0)}"
            )
        if item.on_hand != ledger_on_hand:
            violations.append(
                f"{pid}: on hand {item.on_hand} but the ledger sums to {ledger_on_hand}"
            )
        if item.reserved != ledger_reserved:
            violations.append(
                f"{pid}: reserved {item.reserved} but the ledger sums to"
                f" {ledger_reserved}"
            )
    for pid in sorted(
        set(active) - set(ledger) - set(StockItem.objects.values_list("pk", flat=True))
    ):
        violations.append(
            f"{pid}: active reservations hold {active[pid]} of a missing item"
        )
    return violations


def stock_items_never_received() -> list[uuid.UUID]:
    """Items with no movement at all yet, in product-id order."""
    return list(
        StockItem.objects.filter(movements__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def stock_item_count() -> int:
    return StockItem.objects.count()
