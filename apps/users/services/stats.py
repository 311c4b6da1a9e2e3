"""Customer stats (order count, lifetime spend) from the orders events."""

import datetime as dt
import uuid
from decimal import Decimal

from apps.common.db import atomic_for
from apps.users.models import PaidOrder
from apps.users.selectors import user_find


def customer_order_paid(
    *,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    amount: Decimal,
    currency: str,
    paid_at: dt.datetime,
) -> bool:
    """Count a paid order once. Returns False when there is nothing to do
    (unknown user, or the order is already known)."""
    user = user_find(user_id)
    if user is None:
        return False
    with atomic_for("users"):
        order, created = PaidOrder.objects.select_for_update().get_or_create(
            order_id=order_id,
            defaults={
                "user": user,
                "amount": amount,
                "currency": currency,
                "paid_at": paid_at,
            },
        )
        if created or order.paid_at is not None:
            return created
        order.paid_at = paid_at  # the refund arrived first
        order.save(update_fields=["paid_at"])
    return True


def customer_order_refunded(
    *,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    amount: Decimal,
    currency: str,
    refunded_at: dt.datetime,
) -> bool:
    """Take a refunded order out of the stats (also if it is paid later)."""
    user = user_find(user_id)
    if user is None:
        return False
    with atomic_for("users"):
        order, created = PaidOrder.objects.select_for_update().get_or_create(
            order_id=order_id,
            defaults={
                "user": user,
                "amount": amount,
                "currency": currency,
                "refunded_at": refunded_at,
            },
        )
        if created or order.refunded_at is not None:
            return created
        order.refunded_at = refunded_at
        order.save(update_fields=["refunded_at"])
    return True
