"""The order state machine (DESIGN.md section 3) and the services that move it."""

import datetime as dt
import logging
import uuid

from django.utils import timezone

from apps.common.db import atomic_for
from apps.eventbus.api import publish
from apps.orders import metrics
from apps.orders.errors import (
    IllegalTransition,
    OrderDoesNotExist,
    PaymentInProgress,
    RefundInProgress,
)
from apps.orders.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderFailed,
    OrderShipped,
)
from apps.orders.models import (
    REFUND_STARTED,
    Order,
    OrderStatus,
    PaymentStatus,
    Shipment,
)
from apps.orders.services.vouchers import release_voucher

logger = logging.getLogger(__name__)
S = OrderStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.FAILED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
}


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def locked_order(order_id: uuid.UUID, *, user_id: uuid.UUID | None = None) -> Order:
    """The order, row-locked for the rest of the caller's transaction; with
    `user_id`, another user's order is reported exactly like a missing one."""
    qs = Order.objects.select_for_update().filter(pk=order_id)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    order = qs.first()
    if order is None:
        raise OrderDoesNotExist(f"Order {order_id} not found.")
    return order


def move(
    order: Order,
    target: str,
    *,
    action: str,
    reason: str = "",
    also: tuple[str, ...] = (),
) -> None:
    """Move a locked order to `target` or raise IllegalTransition (409); the
    fields in `also`, set by the caller, are written by the same UPDATE."""
    if not can_transition(order.status, target):
        raise IllegalTransition(status=order.status, action=action)
    order.status = target
    fields = ["status", "updated_at", *also]
    if reason:
        order.status_reason = reason[:500]
        fields.append("status_reason")
    order.save(update_fields=fields)


# --- the saga: inventory's answers --------------------------------------------


def order_confirm(
    *, order_id: uuid.UUID, reservation_id: uuid.UUID, expires_at: dt.datetime
) -> bool:
    """Stock was reserved. Returns False when the event no longer applies."""
    with atomic_for(Order):
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != S.PENDING:
            logger.info("reservation for order %s ignored (not pending)", order_id)
            return False
        order.reservation_id = reservation_id
        order.reservation_expires_at = expires_at
        move(
            order,
            S.CONFIRMED,
            action="confirm",
            also=("reservation_id", "reservation_expires_at"),
        )
        publish(
            OrderConfirmed(
                order_id=order.id,
                user_id=order.user_id,
                email=order.email,
                reservation_expires_at=expires_at,
            )
        )
    metrics.SAGA_OUTCOMES.labels("confirmed").inc()
    metrics.PLACEMENT_TO_CONFIRMED.observe(
        (timezone.now() - order.created_at).total_seconds()
    )
    return True


def order_fail(*, order_id: uuid.UUID, reason: str) -> bool:
    with atomic_for(Order):
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != S.PENDING:
            logger.info("reservation failure for order %s ignored", order_id)
            return False
        move(order, S.FAILED, action="fail", reason=reason)
        release_voucher(order_id=order.id)
        publish(
            OrderFailed(
                order_id=order.id,
                user_id=order.user_id,
                email=order.email,
                reason=reason,
            )
        )
    metrics.SAGA_OUTCOMES.labels("failed").inc()
    return True


def order_expire(*, order_id: uuid.UUID, reservation_id: uuid.UUID) -> bool:
    """The reservation ran out before payment: an unpaid order is cancelled.

    A `processing` payment (its outcome unknown) is left to the settle job
    (`payments_settle`), which asks the gateway: a capture on the cancelled
    order is refunded, an attempt the gateway never took is marked failed."""
    with atomic_for(Order):
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        applies = (
            order is not None
            and order.status in (S.PENDING, S.CONFIRMED)
            and order.reservation_id in (None, reservation_id)
        )
        if not applies:
            logger.info("reservation expiry for order %s ignored", order_id)
            return False
        _cancel(order, reason="reservation_expired")
    metrics.SAGA_OUTCOMES.labels("expired").inc()
    return True


# --- customer and staff actions -------------------------------------------------


def _cancel(order: Order, *, reason: str) -> None:
    move(order, S.CANCELLED, action="cancel", reason=reason)
    release_voucher(order_id=order.id)
    publish(
        OrderCancelled(
            order_id=order.id, user_id=order.user_id, email=order.email, reason=reason
        )
    )


def order_cancel(
    *, order_id: uuid.UUID, user_id: uuid.UUID | None, reason: str = "cancelled"
) -> Order:
    """Cancel a pending or confirmed order (the reservation is released by the
    inventory on `orders.order.cancelled.v1`). `user_id=None` acts as staff.

    Not while a payment is `processing`: the provider may have captured it, and
    a cancelled order could never be paid, so the money would be stuck."""
    with atomic_for(Order):
        order = locked_order(order_id, user_id=user_id)
        if (
            can_transition(order.status, S.CANCELLED)
            and order.payments.filter(status=PaymentStatus.PROCESSING).exists()
        ):
            raise PaymentInProgress(
                "The order has a payment in progress; it cannot be cancelled "
                "until the payment is settled."
            )
        _cancel(order, reason=reason)
    return order


def order_ship(*, order_id: uuid.UUID, carrier: str, tracking_number: str) -> Order:
    with atomic_for(Order):
        order = locked_order(order_id)
        # `refunded` while the order is still `paid`: a staff refund that
        # stopped half-way, which the settle job finishes.
        if order.payments.filter(status__in=REFUND_STARTED).exists():
            raise RefundInProgress("The order's payment is being refunded.")
        move(order, S.SHIPPED, action="ship")
        Shipment.objects.create(
            order=order, carrier=carrier, tracking_number=tracking_number
        )
        publish(
            OrderShipped(
                order_id=order.id,
                user_id=order.user_id,
                email=order.email,
                carrier=carrier,
                tracking_number=tracking_number,
            )
        )
    return order


def order_deliver(*, order_id: uuid.UUID) -> Order:
    with atomic_for(Order):
        order = locked_order(order_id)
        move(order, S.DELIVERED, action="deliver")
        Shipment.objects.filter(order=order).update(delivered_at=timezone.now())
        publish(
            OrderDelivered(order_id=order.id, user_id=order.user_id, email=order.email)
        )
    return order
