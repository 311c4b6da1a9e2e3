"""Consumers of other apps' events (private). Each runs once per event in a
transaction on the users database, together with its inbox row."""

from apps.eventbus.api import EventMeta, subscribe
from apps.orders.events import (
    OrderCancelled,
    OrderConfirmed,
    OrderDelivered,
    OrderFailed,
    OrderPaid,
    OrderRefunded,
    OrderShipped,
)
from apps.users.events import UserRegistered
from apps.users.services.notifications import order_notification_send
from apps.users.services.stats import customer_order_paid, customer_order_refunded
from apps.users.services.verification import email_verification_send


def on_users_user_registered(event: UserRegistered, meta: EventMeta) -> None:
    email_verification_send(user_id=event.user_id)


def _notify(kind: str, event, **details) -> None:
    order_notification_send(
        kind=kind,
        user_id=event.user_id,
        order_id=event.order_id,
        details=details,
        email=event.email,
    )


def on_orders_order_confirmed(event: OrderConfirmed, meta: EventMeta) -> None:
    _notify("confirmed", event, reservation_expires_at=event.reservation_expires_at)


def on_orders_order_failed(event: OrderFailed, meta: EventMeta) -> None:
    _notify("failed", event, reason=event.reason)


def on_orders_order_paid(event: OrderPaid, meta: EventMeta) -> None:
    customer_order_paid(
        order_id=event.order_id,
        user_id=event.user_id,
        amount=event.amount,
        currency=event.currency,
        paid_at=meta.occurred_at,
    )
    _notify("paid", event, amount=event.amount, currency=event.currency)


def on_orders_order_shipped(event: OrderShipped, meta: EventMeta) -> None:
    _notify(
        "shipped", event, carrier=event.carrier, tracking_number=event.tracking_number
    )


def on_orders_order_delivered(event: OrderDelivered, meta: EventMeta) -> None:
    _notify("delivered", event)


def on_orders_order_cancelled(event: OrderCancelled, meta: EventMeta) -> None:
    _notify("cancelled", event, reason=event.reason)


def on_orders_order_refunded(event: OrderRefunded, meta: EventMeta) -> None:
    customer_order_refunded(
        order_id=event.order_id,
        user_id=event.user_id,
        amount=event.amount,
        currency=event.currency,
        refunded_at=meta.occurred_at,
    )
    _notify("refunded", event, amount=event.amount, currency=event.currency)


def register() -> None:
    """Subscribe this app's handlers to the event bus."""
    subscribe("users", UserRegistered, on_users_user_registered)
    subscribe("users", OrderConfirmed, on_orders_order_confirmed)
    subscribe("users", OrderFailed, on_orders_order_failed)
    subscribe("users", OrderPaid, on_orders_order_paid)
    subscribe("users", OrderShipped, on_orders_order_shipped)
    subscribe("users", OrderDelivered, on_orders_order_delivered)
    subscribe("users", OrderCancelled, on_orders_order_cancelled)
    subscribe("users", OrderRefunded, on_orders_order_refunded)
