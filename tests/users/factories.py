"""Orders events as the orders app publishes them (built from its public
schemas, apps/orders/events.py)."""

import datetime as dt
import uuid
from decimal import Decimal

from apps.orders import events


def paid(user, *, order_id=None, amount="30.00", currency="EUR"):
    return events.OrderPaid(
        order_id=order_id or uuid.uuid4(),
        user_id=user.pk,
        payment_id=uuid.uuid4(),
        amount=Decimal(amount),
        currency=currency,
    )


def refunded(user, *, order_id, amount="30.00", currency="EUR"):
    return events.OrderRefunded(
        order_id=order_id, user_id=user.pk, amount=Decimal(amount), currency=currency
    )


def lifecycle(user, order_id):
    """One of each order event the customer hears about, with its details."""
    uid = user.pk
    return {
        "confirmed": events.OrderConfirmed(
            order_id=order_id,
            user_id=uid,
            reservation_expires_at=dt.datetime(2026, 11, 24, 3, 15, tzinfo=dt.UTC),
        ),
        "failed": events.OrderFailed(
            order_id=order_id, user_id=uid, reason="out of stock"
        ),
        "paid": paid(user, order_id=order_id, amount="42.50"),
        "shipped": events.OrderShipped(
            order_id=order_id, user_id=uid, carrier="DHL", tracking_number="JD0142"
        ),
        "delivered": events.OrderDelivered(order_id=order_id, user_id=uid),
        "cancelled": events.OrderCancelled(
            order_id=order_id, user_id=uid, reason="cancelled by customer"
        ),
        "refunded": refunded(user, order_id=order_id, amount="42.50"),
    }
