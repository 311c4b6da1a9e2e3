"""Reservations of orders and the rest of their life (private)."""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish, publish_many
from apps.inventory import metrics
from apps.inventory.errors import StockInvariantBroken
from apps.inventory.events import (
    ReservationExpired,
    ReservedLine,
    ShortLine,
    StockReleased,
    StockReservationFailed,
    StockReserved,
)
from apps.inventory.models import Reservation, ReservationLine
from apps.inventory.services.stock import (
    MAX_QUANTITY,
    Change,
    Kind,
    Refused,
    apply_changes,
    available_of,
    change_stock,
)

logger = logging.getLogger(__name__)
Status = Reservation.Status


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
    order_id: uuid.UUID,
    wanted: dict,
    *,
    status: str,
    expires_at: dt.datetime,
) -> Reservation:
    reservation = Reservation.objects.create(
        order_id=order_id,
        status=status,
        expires_at=expires_at,
    )
    ReservationLine.objects.bulk_create(
        ReservationLine(reservation=reservation, product_id=pid, quantity=qty)
        for pid, qty in wanted.items()
    )
    return reservation


def _reserve(
    order_id: uuid.UUID, wanted: dict, *, expires_at: dt.datetime, actor: str
) -> Reservation:
    """Write the active reservation, its lines and ledger rows, change the
    stock rows last and publish StockReserved and the new levels, in one
    transaction. Raises Refused at the first line (in product-id order) that
    cannot be reserved, having written nothing."""
    with atomic_for(Reservation):
        reservation = _create_reservation(
            order_id, wanted, status=Status.ACTIVE, expires_at=expires_at
        )
        levels = apply_changes(
            [Change(p, 0, q) for p, q in wanted.items()],
            kind=Kind.RESERVATION,
            reference=str(order_id),
            actor=actor,
        )
        reserved = StockReserved(
            order_id=order_id,
            reservation_id=reservation.id,
            expires_at=expires_at,
            lines=tuple(
                ReservedLine(product_id=p, quantity=q) for p, q in wanted.items()
            ),
        )
        publish_many([reserved, *levels])
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
        reservation = _reserve(order_id, wanted, expires_at=expires_at, actor=actor)
    except Refused as refused:
        short = _short_lines(wanted, refused)
    except IntegrityError:
        return _first_outcome(order_id)
    else:
        metrics.RESERVATIONS.labels("reserved").inc()
        return reservation
    try:
        with atomic_for(Reservation):
            reservation = _create_reservation(
                order_id, wanted, status=Status.FAILED, expires_at=now
            )
            publish(StockReservationFailed(order_id=order_id, short_lines=short))
    except IntegrityError:
        return _first_outcome(order_id)
    metrics.RESERVATIONS.labels("refused").inc()
    return reservation


def _first_outcome(order_id: uuid.UUID) -> Reservation:
    """The order was reserved (or failed) before: the unique order id made the
    new attempt roll back; no read ahead of the insert is needed."""
    existing = Reservation.objects.filter(order_id=order_id).first()
    if existing is None:
        raise StockInvariantBroken(f"reservation of order {order_id} vanished")
    return existing


def _short_lines(wanted: dict, refused: Refused) -> tuple[ShortLine, ...]:
    short = []
    for product_id, requested in wanted.items():
        available = (
            refused.available
            if product_id == refused.product_id
            else available_of(product_id)
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
        Change(
            line.product_id, on_hand_sign * line.quantity, reserved_sign * line.quantity
        )
        for line in reservation.lines.all()
    ]
    change_stock(changes, kind=kind, reference=str(reservation.order_id), actor=actor)
    reservation.status = to_status
    return True


def _reservation_of(order_id: uuid.UUID) -> Reservation | None:
    return Reservation.objects.filter(order_id=order_id).first()


def _give_back(
    reservation: Reservation, *, to_status: str, actor: str, event, **conditions
) -> bool:
    """End an active reservation without a sale: its units are no longer
    reserved; `event` is published if it was still active."""
    try:
        with atomic_for(Reservation):
            if not _transition(
                reservation,
                from_status=Status.ACTIVE,
                to_status=to_status,
                kind=Kind.RELEASE,
                on_hand_sign=0,
                reserved_sign=-1,
                actor=actor,
                **conditions,
            ):
                return False
            publish(event)
    except Refused as refused:
        raise StockInvariantBroken(str(refused)) from None
    return True


def reservation_release(*, order_id: uuid.UUID, reason: str, actor: str) -> bool:
    """Give an active reservation's stock back (the order was cancelled)."""
    reservation = _reservation_of(order_id)
    if reservation is None:
        return False
    return _give_back(
        reservation,
        to_status=Status.RELEASED,
        actor=actor,
        event=StockReleased(
            order_id=order_id, reservation_id=reservation.id, reason=reason
        ),
    )


def reservation_sell(*, order_id: uuid.UUID, actor: str) -> bool:
    """The order was paid: its reserved units leave the stock. If the
    reservation expired or was released meanwhile, the units are taken from
    what is available, all or none; failing that, the shortfall is logged."""
    reservation = _reservation_of(order_id)
    if reservation is None:
        logger.error("order %s paid without a reservation", order_id)
        return False
    try:
        with atomic_for(Reservation):
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
    except Refused as refused:
        raise StockInvariantBroken(str(refused)) from None
    for lapsed in (Status.EXPIRED, Status.RELEASED):
        try:
            with atomic_for(Reservation):
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
        except Refused as refused:
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
    with atomic_for(Reservation):
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
    expired = _give_back(
        reservation,
        to_status=Status.EXPIRED,
        actor="system:expiry",
        event=ReservationExpired(
            order_id=reservation.order_id, reservation_id=reservation.id
        ),
        expires_at__lte=now or timezone.now(),
    )
    if expired:
        metrics.RESERVATIONS.labels("expired").inc()
    return expired


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
