"""Paying and refunding through the gateway port.

No database lock is held while the gateway is called. A payment attempt is a
`processing` Payment row committed before the call: it is the recovery point.
If the process dies between capture and recording, the next pay request finds
that row and calls the gateway again with the same idempotency key, so the
provider returns the earlier capture instead of taking the money twice.
"""

import datetime as dt
import logging
import uuid

from django.utils import timezone

from apps.common.breaker import CircuitOpen
from apps.common.db import atomic_for
from apps.eventbus.api import publish
from apps.orders import metrics
from apps.orders.errors import (
    IllegalTransition,
    PaymentDeclined,
    PaymentUnavailable,
    ReservationExpired,
)
from apps.orders.events import OrderPaid, OrderRefunded
from apps.orders.gateway import (
    ChargeResult,
    GatewayTransientError,
    call_with_retries,
    gateway_breaker,
    get_gateway,
)
from apps.orders.models import (
    REFUND_STARTED,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
)
from apps.orders.services.idempotency import Claim, idempotency_note_work
from apps.orders.services.lifecycle import locked_order, move
from apps.orders.services.lifecycle import order_cancel as _order_cancel
from apps.orders.services.vouchers import release_voucher

logger = logging.getLogger(__name__)

# What `_payment_record` answers, as the payments metric counts it.
PAYMENT_OUTCOMES = {
    "paid": "paid",
    "declined": "declined",
    "compensate": "compensated",
    "already_recorded": "already_recorded",
}


def _circuit_open(exc: CircuitOpen) -> PaymentUnavailable:
    return PaymentUnavailable(
        "The payment provider keeps failing; try again later.",
        extra={"retry_after": exc.retry_after},
    )


def _gateway_call(func):
    """Retries, breaker and the mapping of provider trouble to a 503 problem."""
    try:
        return call_with_retries(func)
    except CircuitOpen as exc:
        raise _circuit_open(exc) from exc
    except GatewayTransientError as exc:
        raise PaymentUnavailable(
            "The payment provider did not answer; try again.",
            extra={"retry_after": 1},
        ) from exc


def _reservation_expired(order: Order) -> bool:
    expires_at = order.reservation_expires_at
    return expires_at is not None and expires_at <= timezone.now()


def _payable(order: Order) -> bool:
    return order.status == OrderStatus.CONFIRMED and not _reservation_expired(order)


def _payment_begin(*, order_id: uuid.UUID, user_id: uuid.UUID) -> Payment:
    """The attempt to charge: an unfinished one is resumed (recovery point)."""
    with atomic_for(Order):
        order = locked_order(order_id, user_id=user_id)
        if order.status != OrderStatus.CONFIRMED:
            raise IllegalTransition(status=order.status, action="pay")
        if _reservation_expired(order):
            raise ReservationExpired(
                "The order's stock reservation has expired; it can no longer be paid.",
                extra={"current_status": order.status},
            )
        payment = order.payments.filter(status=PaymentStatus.PROCESSING).first()
        if payment is not None:
            # Touched, so the settle job leaves an attempt being resumed alone.
            payment.save(update_fields=["updated_at"])
        else:
            payment_id = uuid.uuid4()
            payment = Payment.objects.create(
                id=payment_id,
                order=order,
                amount=order.total,
                currency=order.currency,
                gateway_key=f"charge-{payment_id}",
            )
        return payment


def _payment_note_error(payment_id: uuid.UUID, error: str) -> None:
    with atomic_for(Order):
        Payment.objects.filter(pk=payment_id, status=PaymentStatus.PROCESSING).update(
            last_error=error[:500]
        )


def _payment_record(
    payment_id: uuid.UUID,
    result: ChargeResult,
    *,
    unchanged_since: dt.datetime | None = None,
    claim: Claim | None = None,
) -> tuple[str, Order]:
    """Record the gateway's answer; returns what happened and the order. With
    `unchanged_since` (the settle job), only if nobody touched the attempt;
    with an Idempotency-Key `claim`, a paid order is noted on it."""
    with atomic_for(Order):
        order_id = Payment.objects.values_list("order_id", flat=True).get(pk=payment_id)
        order = locked_order(order_id)  # order first, then payment: a fixed order
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != PaymentStatus.PROCESSING or (
            unchanged_since is not None and payment.updated_at != unchanged_since
        ):
            return "already_recorded", order
        payment.tries += 1
        if not result.captured:
            payment.status = PaymentStatus.DECLINED
            payment.last_error = result.decline_reason
            payment.save(update_fields=["status", "last_error", "tries", "updated_at"])
            return "declined", order
        payment.status = PaymentStatus.CAPTURED
        payment.gateway_reference = result.reference
        payment.save(
            update_fields=["status", "gateway_reference", "tries", "updated_at"]
        )
        if not _payable(order):
            return "compensate", order
        move(order, OrderStatus.PAID, action="pay")
        if claim is not None:
            idempotency_note_work(claim, order.id, undo_if_taken_over=False)
        publish(
            OrderPaid(
                order_id=order.id,
                user_id=order.user_id,
                email=order.email,
                payment_id=payment.id,
                amount=payment.amount,
                currency=payment.currency,
            )
        )
        return "paid", order


def order_pay(
    *,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    payment_token: str,
    claim: Claim | None = None,
) -> Order:
    """Charge a confirmed order through the gateway; with an Idempotency-Key
    `claim`, the paid order is noted on it in the transaction that records
    the capture (a retry after a crash replays it)."""
    try:  # fail fast, before any row is written
        gateway_breaker().raise_if_open()
    except CircuitOpen as exc:
        metrics.PAYMENTS.labels("unavailable").inc()
        raise _circuit_open(exc) from exc
    payment = _payment_begin(order_id=order_id, user_id=user_id)
    gateway = get_gateway()
    try:
        result = _gateway_call(
            lambda: gateway.charge(
                idempotency_key=payment.gateway_key,
                token=payment_token,
                amount=payment.amount,
                currency=payment.currency,
            )
        )
    except PaymentUnavailable as exc:
        # The outcome is unknown: the attempt stays `processing`, and the next
        # request resumes it with the same gateway key.
        _payment_note_error(payment.id, str(exc.__cause__ or exc))
        metrics.PAYMENTS.labels("unavailable").inc()
        raise
    outcome, order = _payment_record(payment.id, result, claim=claim)
    metrics.PAYMENTS.labels(PAYMENT_OUTCOMES[outcome]).inc()
    if outcome == "declined":
        raise PaymentDeclined(
            f"The payment was declined ({result.decline_reason}).",
            extra={"decline_reason": result.decline_reason},
        )
    if outcome == "compensate":
        # The order moved on (e.g. its reservation expired) while we charged.
        # A refund failing here is retried by the settle job.
        _payment_refund(Payment.objects.get(pk=payment.id))
        if order.status == OrderStatus.CONFIRMED:
            raise ReservationExpired(
                "The order's stock reservation expired while paying; the payment "
                "was refunded.",
                extra={"current_status": order.status},
            )
        raise IllegalTransition(status=order.status, action="pay")
    return order


def _payment_refund(payment: Payment) -> None:
    gateway = get_gateway()
    _gateway_call(
        lambda: gateway.refund(
            idempotency_key=f"refund-{payment.id}",
            reference=payment.gateway_reference,
            amount=payment.amount,
            currency=payment.currency,
        )
    )
    with atomic_for(Order):
        Payment.objects.filter(
            pk=payment.id,
            status__in=[PaymentStatus.CAPTURED, PaymentStatus.REFUNDING],
        ).update(status=PaymentStatus.REFUNDED)


def order_refund(*, order_id: uuid.UUID) -> Order:
    """Staff cancel a paid, unshipped order: refund, then `refunded`."""
    with atomic_for(Order):
        order = locked_order(order_id)
        if order.status != OrderStatus.PAID:
            raise IllegalTransition(status=order.status, action="refund")
        # `refunding` or `refunded` already: an earlier attempt failed or crashed
        # half-way; the same gateway key repeats it safely.
        payment = order.payments.get(
            status__in=[PaymentStatus.CAPTURED, *REFUND_STARTED]
        )
        if payment.status == PaymentStatus.CAPTURED:
            payment.status = PaymentStatus.REFUNDING
            payment.save(update_fields=["status", "updated_at"])
    _payment_refund(payment)
    with atomic_for(Order):
        order = locked_order(order_id)
        move(order, OrderStatus.REFUNDED, action="refund", reason="refunded by staff")
        release_voucher(order_id=order.id)
        publish(
            OrderRefunded(
                order_id=order.id,
                user_id=order.user_id,
                email=order.email,
                amount=payment.amount,
                currency=payment.currency,
            )
        )
    return order


def order_cancel_as(
    *, order_id: uuid.UUID, user_id: uuid.UUID, is_staff: bool
) -> Order:
    """Cancel on behalf of a customer (own pending/confirmed orders) or staff
    (any order; a paid one is refunded)."""
    if is_staff:
        status = Order.objects.filter(pk=order_id).values_list("status", flat=True)
        if status.first() == OrderStatus.PAID:
            return order_refund(order_id=order_id)
        return _order_cancel(
            order_id=order_id, user_id=None, reason="cancelled by staff"
        )
    return _order_cancel(
        order_id=order_id, user_id=user_id, reason="cancelled by customer"
    )
