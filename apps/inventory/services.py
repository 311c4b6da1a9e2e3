"""Writes of the inventory (private). One transaction on the inventory's
database each; events leave through the outbox after commit.

Concurrency: every change of a stock row is one conditional UPDATE that checks
the invariant (0 <= reserved <= on hand) in its WHERE clause, so a refused
change writes nothing and two writers can never both pass a stale check. A
transaction that changes several rows does so in product-id (primary-key)
order, so concurrent reservations queue behind each other instead of
deadlocking. The UPDATEs come last in their transaction: the row lock they
take is held until commit.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connections
from django.utils import timezone

from apps.common.db import alias_for, atomic_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish
from apps.inventory.errors import (
    StockBelowReserved,
    StockInvariantBroken,
    StockItemNotFound,
)
from apps.inventory.events import (
    ReservationExpired,
    ReservedLine,
    ShortLine,
    StockLevelChanged,
    StockReleased,
    StockReservationFailed,
    StockReserved,
)
from apps.inventory.models import (
    Reservation,
    ReservationLine,
    StockItem,
    StockMovement,
)

APP = "inventory"
MAX_QUANTITY = 1_000_000
logger = logging.getLogger(__name__)

Kind = StockMovement.Kind
Status = Reservation.Status


# --- stock rows ----------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    product_id: uuid.UUID
    on_hand_delta: int
    reserved_delta: int


class _Refused(Exception):
    def __init__(self, product_id: uuid.UUID, available: int):
        super().__init__(f"{product_id}: only {available} available")
        self.product_id = product_id
        self.available = available


def _update_row(change: _Change) -> tuple[int, int, int] | None:
    """One conditional UPDATE; the new (on_hand, reserved, version), or None if
    the row is missing or the change would break 0 <= reserved <= on hand."""
    connection = connections[alias_for(APP)]
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


def _available(product_id: uuid.UUID) -> int:
    row = StockItem.objects.filter(pk=product_id).values("on_hand", "reserved")
    return next((r["on_hand"] - r["reserved"] for r in row), 0)


def _change_stock(changes: list[_Change], *, kind: str, reference: str, actor: str):
    """Apply `changes` in product-id order inside the caller's transaction; the
    ledger rows go first, the row-locking UPDATEs last. Raises _Refused at the
    first change that cannot apply (the caller's transaction must roll back)."""
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
    levels = []
    for change in changes:
        row = _update_row(change)
        if row is None:
            raise _Refused(change.product_id, _available(change.product_id))
        levels.append((change.product_id, *row))
    for product_id, on_hand, reserved, version in levels:
        publish(
            StockLevelChanged(
                product_id=product_id,
                on_hand=on_hand,
                reserved=reserved,
                available=on_hand - reserved,
                version=version,
            )
        )


def stock_item_create(*, product_id: uuid.UUID) -> tuple[StockItem, bool]:
    """The stock item of a new product, with nothing on hand (idempotent)."""
    with atomic_for(APP):
        return StockItem.objects.get_or_create(product_id=product_id)


def _validate_adjustment(delta, reason) -> dict:
    errors = {}
    if isinstance(delta, bool) or not isinstance(delta, int):
        errors["delta"] = ["A whole number is required."]
    elif delta == 0:
        errors["delta"] = ["Must not be zero."]
    elif abs(delta) > MAX_QUANTITY:
        errors["delta"] = [f"Must be between -{MAX_QUANTITY} and {MAX_QUANTITY}."]
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = ["This field is required."]
    elif len(reason) > 200:
        errors["reason"] = ["At most 200 characters."]
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
        with atomic_for(APP):
            _change_stock(
                [_Change(product_id, delta, 0)],
                kind=kind,
                reference=reason.strip(),
                actor=actor,
            )
    except _Refused as refused:
        if not StockItem.objects.filter(pk=product_id).exists():
            raise StockItemNotFound() from None
        raise StockBelowReserved(
            f"On hand cannot go below reserved: at most {refused.available}"
            " can be removed.",
            extra={"errors": {"delta": [f"At least {-refused.available} allowed."]}},
        ) from None
    return StockItem.objects.get(pk=product_id)


# --- reservations ----------------------------------------------------------------


def _merge_lines(lines: Iterable[tuple[uuid.UUID, int]]) -> dict[uuid.UUID, int]:
    wanted: dict[uuid.UUID, int] = {}
    for product_id, quantity in lines:
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ValidationFailed({"lines": ["Quantities must be whole numbers."]})
        if not 1 <= quantity <= MAX_QUANTITY:
            raise ValidationFailed({"lines": ["Quantities must be at least 1."]})
        product_id = uuid.UUID(str(product_id))
        wanted[product_id] = wanted.get(product_id, 0) + quantity
    if not wanted:
        raise ValidationFailed({"lines": ["An order needs at least one line."]})
    return dict(sorted(wanted.items()))


def _create_reservation(
    order_id: uuid.UUID, wanted: dict, *, status: str, expires_at: dt.datetime
) -> Reservation:
    reservation = Reservation.objects.create(
        order_id=order_id, status=status, expires_at=expires_at
    )
    ReservationLine.objects.bulk_create(
        ReservationLine(reservation=reservation, product_id=pid, quantity=qty)
        for pid, qty in wanted.items()
    )
    return reservation


def stock_reserve(
    *, order_id: uuid.UUID, lines: Iterable[tuple[uuid.UUID, int]], actor: str
) -> Reservation:
    """Reserve every line of an order or none. Publishes StockReserved or
    StockReservationFailed. A second call for the same order changes nothing
    and returns the first outcome."""
    wanted = _merge_lines(lines)
    now = timezone.now()
    expires_at = now + dt.timedelta(minutes=settings.RESERVATION_TIMEOUT_MINUTES)
    try:
        with atomic_for(APP):
            reservation = _create_reservation(
                order_id, wanted, status=Status.ACTIVE, expires_at=expires_at
            )
            publish(
                StockReserved(
                    order_id=order_id,
                    reservation_id=reservation.id,
                    expires_at=expires_at,
                    lines=tuple(
                        ReservedLine(product_id=p, quantity=q)
                        for p, q in wanted.items()
                    ),
                )
            )
            _change_stock(
                [_Change(p, 0, q) for p, q in wanted.items()],
                kind=Kind.RESERVATION,
                reference=str(order_id),
                actor=actor,
            )
            return reservation
    except _Refused as refused:
        short = _short_lines(wanted, refused)
    except IntegrityError:
        return _first_outcome(order_id)
    try:
        with atomic_for(APP):
            reservation = _create_reservation(
                order_id, wanted, status=Status.FAILED, expires_at=now
            )
            publish(StockReservationFailed(order_id=order_id, short_lines=short))
    except IntegrityError:
        return _first_outcome(order_id)
    return reservation


def _first_outcome(order_id: uuid.UUID) -> Reservation:
    """The order was reserved (or failed) before: the unique order id made the
    new attempt roll back; no read ahead of the insert is needed."""
    existing = Reservation.objects.filter(order_id=order_id).first()
    if existing is None:
        raise StockInvariantBroken(f"reservation of order {order_id} vanished")
    return existing


def _short_lines(wanted: dict, refused: _Refused) -> tuple[ShortLine, ...]:
    short = []
    for product_id, requested in wanted.items():
        available = (
            refused.available
            if product_id == refused.product_id
            else _available(product_id)
        )
        if product_id == refused.product_id or requested > available:
            short.append(
                ShortLine(
                    product_id=product_id,
                    requested=requested,
                    available=max(available, 0),
                )
            )
    return tuple(short)


def _transition(
    reservation: Reservation,
    *,
    to_status: str,
    from_status: str,
    kind: str,
    on_hand_sign: int,
    reserved_sign: int,
    actor: str,
    **conditions,
) -> bool:
    """Move a reservation between states and its stock with it, in the caller's
    transaction. The status change is a conditional UPDATE, so of two racing
    transitions (expiry and payment) exactly one wins; False if it lost."""
    claimed = Reservation.objects.filter(
        pk=reservation.pk, status=from_status, **conditions
    ).update(status=to_status, updated_at=timezone.now())
    if not claimed:
        return False
    changes = [
        _Change(
            line.product_id, on_hand_sign * line.quantity, reserved_sign * line.quantity
        )
        for line in reservation.lines.all()
    ]
    _change_stock(changes, kind=kind, reference=str(reservation.order_id), actor=actor)
    reservation.status = to_status
    return True


def _reservation_of(order_id: uuid.UUID) -> Reservation | None:
    return Reservation.objects.filter(order_id=order_id).first()


def reservation_release(*, order_id: uuid.UUID, reason: str, actor: str) -> bool:
    """Give an active reservation's stock back (the order was cancelled)."""
    reservation = _reservation_of(order_id)
    if reservation is None:
        return False
    try:
        with atomic_for(APP):
            if not _transition(
                reservation,
                from_status=Status.ACTIVE,
                to_status=Status.RELEASED,
                kind=Kind.RELEASE,
                on_hand_sign=0,
                reserved_sign=-1,
                actor=actor,
            ):
                return False
            publish(
                StockReleased(
                    order_id=order_id, reservation_id=reservation.id, reason=reason
                )
            )
    except _Refused as refused:
        raise StockInvariantBroken(str(refused)) from None
    return True


def reservation_sell(*, order_id: uuid.UUID, actor: str) -> bool:
    """The order was paid: its reserved units leave the stock. If the
    reservation expired or was released meanwhile, the units are taken from
    what is available, all or none; failing that, the shortfall is logged."""
    reservation = _reservation_of(order_id)
    if reservation is None:
        logger.error("order %s paid without a reservation", order_id)
        return False
    try:
        with atomic_for(APP):
            if _transition(
                reservation,
                from_status=Status.ACTIVE,
                to_status=Status.SOLD,
                kind=Kind.SALE,
                on_hand_sign=-1,
                reserved_sign=-1,
                actor=actor,
            ):
                return True
    except _Refused as refused:
        raise StockInvariantBroken(str(refused)) from None
    for lapsed in (Status.EXPIRED, Status.RELEASED):
        try:
            with atomic_for(APP):
                if _transition(
                    reservation,
                    from_status=lapsed,
                    to_status=Status.SOLD,
                    kind=Kind.SALE,
                    on_hand_sign=-1,
                    reserved_sign=0,
                    actor=actor,
                ):
                    return True
        except _Refused as refused:
            logger.error(
                "order %s paid after its stock was gone: %s", order_id, refused
            )
            return False
    return False


def reservation_return(*, order_id: uuid.UUID, actor: str) -> bool:
    """The order was refunded: its sold units come back on hand."""
    reservation = _reservation_of(order_id)
    if reservation is None:
        return False
    with atomic_for(APP):
        return _transition(
            reservation,
            from_status=Status.SOLD,
            to_status=Status.RETURNED,
            kind=Kind.RETURN,
            on_hand_sign=1,
            reserved_sign=0,
            actor=actor,
        )


def reservation_expire(
    *, reservation_id: uuid.UUID, now: dt.datetime | None = None
) -> bool:
    """Expire one reservation that is still active past its time."""
    reservation = Reservation.objects.filter(pk=reservation_id).first()
    if reservation is None:
        return False
    try:
        with atomic_for(APP):
            if not _transition(
                reservation,
                from_status=Status.ACTIVE,
                to_status=Status.EXPIRED,
                kind=Kind.RELEASE,
                on_hand_sign=0,
                reserved_sign=-1,
                actor="system:expiry",
                expires_at__lte=now or timezone.now(),
            ):
                return False
            publish(
                ReservationExpired(
                    order_id=reservation.order_id, reservation_id=reservation.id
                )
            )
    except _Refused as refused:
        raise StockInvariantBroken(str(refused)) from None
    return True


def reservations_expire_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Expire active reservations past their time, oldest first, one short
    transaction each; returns how many expired."""
    now = now or timezone.now()
    due = (
        Reservation.objects.filter(status=Status.ACTIVE, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("id", flat=True)[:limit]
    )
    return sum(reservation_expire(reservation_id=pk, now=now) for pk in list(due))
