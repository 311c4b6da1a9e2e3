"""Consumers of other apps' events (private). Each calls one service and
tolerates events that no longer apply (the services are no-ops then)."""

from apps.catalog.events import ProductCreated
from apps.eventbus.api import EventMeta, subscribe
from apps.inventory import services
from apps.orders.events import OrderCancelled, OrderPaid, OrderPlaced, OrderRefunded


def _actor(meta: EventMeta) -> str:
    return f"event:{meta.event_type}"


def on_catalog_product_created(event: ProductCreated, meta: EventMeta) -> None:
    services.stock_item_create(product_id=event.product_id)


def on_orders_order_placed(event: OrderPlaced, meta: EventMeta) -> None:
    services.stock_reserve(
        order_id=event.order_id,
        lines=[(line.product_id, line.quantity) for line in event.lines],
        actor=_actor(meta),
    )


def on_orders_order_cancelled(event: OrderCancelled, meta: EventMeta) -> None:
    services.reservation_release(
        order_id=event.order_id, reason=event.reason, actor=_actor(meta)
    )


def on_orders_order_paid(event: OrderPaid, meta: EventMeta) -> None:
    services.reservation_sell(order_id=event.order_id, actor=_actor(meta))


def on_orders_order_refunded(event: OrderRefunded, meta: EventMeta) -> None:
    services.reservation_return(order_id=event.order_id, actor=_actor(meta))


def register() -> None:
    """Subscribe this app's handlers to the event bus."""
    subscribe("inventory", ProductCreated, on_catalog_product_created)
    subscribe("inventory", OrderPlaced, on_orders_order_placed)
    subscribe("inventory", OrderCancelled, on_orders_order_cancelled)
    subscribe("inventory", OrderPaid, on_orders_order_paid)
    subscribe("inventory", OrderRefunded, on_orders_order_refunded)
