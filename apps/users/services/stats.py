"""Customer stats (order count, lifetime spend) from the orders events."""

import datetime as dt
import uuid
from decimal import Decimal

from apps.common.db import atomic_for
from apps.users.models import PaidOrder
from apps.users.selectors import user_find


def _order_mark(
    *,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    amount: Decimal,
    currency: str,
    field: str,
    at: dt.datetime,
) -> bool:
    """Set `field` (paid_at or refunded_at) on the order's row, creating it;
    False when there is nothing to do (unknown user, or already set)."""
    user = user_find(user_id)
    if user is None:
        return False
    with atomic_for(PaidOrder):
        order, created = PaidOrder.objects.select_for_update().get_or_create(
            order_id=order_id,
            defaults={"user": user, "amount": amount, "currency": currency, field: at},
        )
        if created or getattr(order, field) is not None:
            return created
        setattr(order, field, at)
        order.save(update_fields=[field])
    return True


def customer_order_paid(
    *,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    amount: Decimal,
    currency: str,
    paid_at: dt.datetime,
) -> bool:
    """Count a paid order once (a refund that came first still wins)."""
    return _order_mark(
        order_id=order_id,
        user_id=user_id,
        amount=amount,
        currency=currency,
        field="paid_at",
        at=paid_at,
    )


def customer_order_refunded(
    *,
    order_id: uuid.UUID,
    user_id: uuid.UUID,
    amount: Decimal,
    currency: str,
    refunded_at: dt.datetime,
) -> bool:
    """Take a refunded order out of the stats (also if it is paid later)."""
    return _order_mark(
        order_id=order_id,
        user_id=user_id,
        amount=amount,
        currency=currency,
        field="refunded_at",
        at=refunded_at,
    )
