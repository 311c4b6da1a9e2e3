"""Changes of stock rows: one conditional UPDATE each, in product-id order,
with their ledger rows, StockLevelChanged events and, where a product sold
out or came back, StockAvailabilityChanged (private)."""

import uuid
from dataclasses import dataclass

from django.db import connections, router
from django.utils import timezone

from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish_many
from apps.inventory.errors import StockBelowReserved, StockItemNotFound
from apps.inventory.events import StockAvailabilityChanged, StockLevelChanged
from apps.inventory.models import StockItem, StockMovement

MAX_QUANTITY = 1_000_000
Kind = StockMovement.Kind


@dataclass(frozen=True)
class Change:
    product_id: uuid.UUID
    on_hand_delta: int
    reserved_delta: int


class Refused(Exception):
    def __init__(self, product_id: uuid.UUID, available: int):
        super().__init__(f"{product_id}: only {available} available")
        self.product_id = product_id
        self.available = available


def _update_row(change: Change) -> tuple[int, int, int] | None:
    """One conditional UPDATE; the new (on_hand, reserved, version), or None if
    the row is missing or the change would break 0 <= reserved <= on hand."""
    connection = connections[router.db_for_write(StockItem)]
    product_id = StockItem._meta.pk.get_db_prep_value(change.product_id, connection)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    dh, dr = change.on_hand_delta, change.reserved_delta
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {StockItem._meta.db_table}"
            " SET on_hand = on_hand + %s, reserved = reserved + %s,"
            " version = version + 1, updated_at = %s"
            " WHERE product_id = %s AND reserved + %s >= 0"
            " AND on_hand + %s >= reserved + %s"
            " RETURNING on_hand, reserved, version",
            [dh, dr, now, product_id, dr, dh, dr],
        )
        return cursor.fetchone()


def available_of(product_id: uuid.UUID) -> int:
    row = StockItem.objects.filter(pk=product_id).values("on_hand", "reserved")
    return next((r["on_hand"] - r["reserved"] for r in row), 0)


def level_event(
    product_id: uuid.UUID, on_hand: int, reserved: int, version: int
) -> StockLevelChanged:
    return StockLevelChanged(
        product_id=product_id,
        on_hand=on_hand,
        reserved=reserved,
        available=on_hand - reserved,
        version=version,
    )


def apply_changes(
    changes: list[Change], *, kind: str, reference: str, actor: str
) -> list[StockLevelChanged | StockAvailabilityChanged]:
    """Apply `changes` in product-id order inside the caller's transaction; the
    ledger rows go first, the row-locking UPDATEs last. Returns the new levels,
    and the availability flips among them, for the caller to publish. Raises
    Refused at the first change that cannot apply (the caller's transaction
    must roll back)."""
    changes = sorted(changes, key=lambda c: c.product_id)
    StockMovement.objects.bulk_create(
        StockMovement(
            stock_item_id=c.product_id,
            kind=kind,
            on_hand_delta=c.on_hand_delta,
            reserved_delta=c.reserved_delta,
            reference=reference[:200],
            actor=actor[:100],
        )
        for c in changes
    )
    events: list[StockLevelChanged | StockAvailabilityChanged] = []
    for change in changes:
        row = _update_row(change)
        if row is None:
            raise Refused(change.product_id, available_of(change.product_id))
        level = level_event(change.product_id, *row)
        events.append(level)
        if flip := availability_flip(change, level):
            events.append(flip)
    return events


def availability_flip(
    change: Change, level: StockLevelChanged
) -> StockAvailabilityChanged | None:
    """The event of a change that sold `level`'s product out or brought it back."""
    before = level.available - (change.on_hand_delta - change.reserved_delta)
    if (before > 0) == (level.available > 0):
        return None
    return StockAvailabilityChanged(
        product_id=level.product_id,
        in_stock=level.available > 0,
        version=level.version,
    )


def change_stock(changes: list[Change], *, kind: str, reference: str, actor: str):
    """`apply_changes` and publish the new levels (one outbox INSERT)."""
    publish_many(apply_changes(changes, kind=kind, reference=reference, actor=actor))


def stock_item_create(*, product_id: uuid.UUID) -> tuple[StockItem, bool]:
    """The stock item of a new product, with nothing on hand (idempotent)."""
    with atomic_for(StockItem):
        return StockItem.objects.get_or_create(product_id=product_id)


def _validate_adjustment(
    delta, reason, *, fields: tuple[str, str] = ("delta", "reason")
) -> dict:
    delta_field, reason_field = fields
    errors = {}
    if isinstance(delta, bool) or not isinstance(delta, int):
        errors[delta_field] = ["A whole number is required."]
    elif delta == 0:
        errors[delta_field] = ["Must not be zero."]
    elif abs(delta) > MAX_QUANTITY:
        errors[delta_field] = [f"Must be between -{MAX_QUANTITY} and {MAX_QUANTITY}."]
    if not isinstance(reason, str) or not reason.strip():
        errors[reason_field] = ["This field is required."]
    elif len(reason) > 200:
        errors[reason_field] = ["At most 200 characters."]
    return errors


def stock_adjust(
    *,
    product_id: uuid.UUID,
    delta: int,
    reason: str,
    actor: str,
    kind: str = Kind.ADJUSTMENT,
) -> StockItem:
    """Change on hand by `delta` (a receipt or a staff correction). Refused,
    changing nothing, if on hand would drop below reserved."""
    if errors := _validate_adjustment(delta, reason):
        raise ValidationFailed(errors)
    try:
        with atomic_for(StockItem):
            change_stock(
                [Change(product_id, delta, 0)],
                kind=kind,
                reference=reason.strip(),
                actor=actor,
            )
    except Refused as refused:
        if not StockItem.objects.filter(pk=product_id).exists():
            raise StockItemNotFound() from None
        raise StockBelowReserved(
            f"On hand cannot go below reserved: at most {refused.available}"
            " can be removed.",
            extra={"errors": {"delta": [f"At least {-refused.available} allowed."]}},
        ) from None
    return StockItem.objects.get(pk=product_id)


def stock_receive(
    *, product_id: uuid.UUID, quantity: int, reference: str, actor: str
) -> bool:
    """Receive `quantity` under `reference` (a delivery note): a receipt this
    product already has under that reference is not applied again. Returns
    whether it was applied."""
    errors = _validate_adjustment(quantity, reference, fields=("quantity", "reference"))
    if not errors and quantity < 0:
        errors = {"quantity": ["Must be positive."]}
    if errors:
        raise ValidationFailed(errors)
    reference = reference.strip()
    with atomic_for(StockItem):
        # The row lock makes two receipts of one reference take turns.
        if StockItem.objects.select_for_update().filter(pk=product_id).first() is None:
            raise StockItemNotFound()
        receipts = StockMovement.objects.filter(
            stock_item_id=product_id, kind=Kind.RECEIPT, reference=reference
        )
        if receipts.exists():
            return False
        change_stock(
            [Change(product_id, quantity, 0)],
            kind=Kind.RECEIPT,
            reference=reference,
            actor=actor,
        )
    return True
