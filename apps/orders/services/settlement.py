"""Settling payments whose outcome is unknown, and retrying refunds owed.

A pay request whose gateway call kept failing leaves its attempt `processing`:
the provider may or may not have captured. `payments_settle` (Celery beat
`orders.settle_payments`, `manage.py payments_settle`) asks the gateway for the
outcome under the attempt's idempotency key and records it through the same
code as a pay request: a capture pays the order if it is still payable and is
refunded otherwise; a decline is recorded; no charge at all marks the attempt
failed. It also retries refunds still owed: on cancelled orders (a
compensating refund that failed) and on paid orders whose staff refund
failed or died half-way (the payment `refunding` or already `refunded`, the
order still `paid`); the latter are finished through `order_refund`, so the
order becomes `refunded` and `orders.order.refunded.v1` is published.

An attempt touched within `ORDERS_SETTLE_GRACE_SECONDS` (default 60, longer
than a pay request's retries) is left alone: a pay request may be working on
it, and "no charge yet" must not be mistaken for "no charge ever".
"""

import datetime as dt
import logging
from collections import Counter

from django.conf import settings
from django.utils import timezone

from apps.common.db import atomic_for
from apps.orders.errors import IllegalTransition, PaymentUnavailable
from apps.orders.gateway import get_gateway
from apps.orders.models import (
    REFUND_STARTED,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
)
from apps.orders.services.payments import (
    _gateway_call,
    _payment_record,
    _payment_refund,
    order_refund,
)

logger = logging.getLogger(__name__)
BATCH = 200  # per kind and run, so one run stays short; the next takes the rest
REPORT_KEYS = (
    "settled",
    "paid",
    "refunded",
    "failed",
    "declined",
    "unresolved",
    "refunds_retried",
    "refunds_owed",
)


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=settings.ORDERS_SETTLE_GRACE_SECONDS)


def _payment_mark_failed(payment: Payment) -> bool:
    with atomic_for(Order):
        return bool(
            Payment.objects.filter(
                pk=payment.pk,
                status=PaymentStatus.PROCESSING,
                updated_at=payment.updated_at,
            ).update(
                status=PaymentStatus.FAILED,
                last_error="no charge with this key at the gateway",
                updated_at=timezone.now(),
            )
        )


def _refund(payment: Payment) -> bool:
    try:
        _payment_refund(payment)
    except Exception as exc:  # noqa: BLE001 - one payment must not stop the others
        logger.warning(
            "refund of payment %s failed; retried later",
            payment.pk,
            exc_info=not isinstance(exc, PaymentUnavailable),
        )
        return False
    return True


def _finish_staff_refund(payment: Payment) -> bool:
    """Repeat a staff refund that stopped half-way (same gateway key); True
    once the order is `refunded`."""
    try:
        order_refund(order_id=payment.order_id)
    except IllegalTransition:
        pass  # moved meanwhile, e.g. finished by a second staff cancel
    except Exception:  # noqa: BLE001 - one payment must not stop the others
        logger.warning(
            "refund of order %s failed; retried later", payment.order_id, exc_info=True
        )
        return False
    status = Order.objects.values_list("status", flat=True).get(pk=payment.order_id)
    if status != OrderStatus.REFUNDED:
        logger.error(
            "order %s: refund started but the order is %s", payment.order_id, status
        )
        return False
    return True


def _settle_one(payment: Payment) -> str:
    gateway = get_gateway()
    try:
        result = _gateway_call(
            lambda: gateway.retrieve(idempotency_key=payment.gateway_key)
        )
    except PaymentUnavailable:
        return "unresolved"
    if result is None:
        return "failed" if _payment_mark_failed(payment) else "unresolved"
    outcome, _ = _payment_record(payment.pk, result, unchanged_since=payment.updated_at)
    if outcome == "compensate":
        refunded = _refund(Payment.objects.get(pk=payment.pk))
        return "refunded" if refunded else "unresolved"
    return {"paid": "paid", "declined": "declined"}.get(outcome, "unresolved")


def payments_settle(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Settle stale `processing` attempts and retry refunds owed (on cancelled
    orders, and staff refunds left half-way); returns counts."""
    report = Counter({key: 0 for key in REPORT_KEYS})
    cutoff = (now or timezone.now()) - _grace()
    stale = Payment.objects.filter(
        status=PaymentStatus.PROCESSING, updated_at__lte=cutoff
    ).order_by("updated_at")[:BATCH]
    for payment in stale:
        report["settled"] += 1
        report[_settle_one(payment)] += 1
    owed = Payment.objects.filter(
        status__in=[PaymentStatus.CAPTURED, PaymentStatus.REFUNDING],
        order__status=OrderStatus.CANCELLED,
    ).order_by("updated_at")[:BATCH]
    for payment in owed:
        report["refunds_retried" if _refund(payment) else "refunds_owed"] += 1
    half_refunded = Payment.objects.filter(
        status__in=REFUND_STARTED,
        order__status=OrderStatus.PAID,
        updated_at__lte=cutoff,
    ).order_by("updated_at")[:BATCH]
    for payment in half_refunded:
        finished = _finish_staff_refund(payment)
        report["refunds_retried" if finished else "refunds_owed"] += 1
    logger.info("payments settled: %s", dict(report))
    return {key: report[key] for key in REPORT_KEYS}
