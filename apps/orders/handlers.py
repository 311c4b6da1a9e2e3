"""Consumers of other apps' events (private): the inventory's side of the saga."""

from django.conf import settings

from apps.eventbus.api import EventMeta, subscribe
from apps.inventory.events import (
    ReservationExpired,
    StockReservationFailed,
    StockReserved,
)
from apps.orders.services.lifecycle import order_confirm, order_expire, order_fail
from apps.orders.services.privacy import customer_data_erase
from apps.users.events import UserErased


def on_inventory_stock_reserved(event: StockReserved, meta: EventMeta) -> None:
    order_confirm(
        order_id=event.order_id,
        reservation_id=event.reservation_id,
        expires_at=event.expires_at,
    )


def on_inventory_reservation_failed(
    event: StockReservationFailed, meta: EventMeta
) -> None:
    # Exact stock levels are staff-only unless the shop chooses to show them.
    short = ", ".join(
        f"{line.product_id}: requested {line.requested}"
        + (f", available {line.available}" if settings.ORDERS_DISCLOSE_STOCK else "")
        for line in event.short_lines
    )
    order_fail(order_id=event.order_id, reason=f"insufficient stock ({short})")


def on_inventory_reservation_expired(
    event: ReservationExpired, meta: EventMeta
) -> None:
    order_expire(order_id=event.order_id, reservation_id=event.reservation_id)


def on_users_user_erased(event: UserErased, meta: EventMeta) -> None:
    customer_data_erase(user_id=event.user_id)


def register() -> None:
    """Subscribe this app's handlers to the event bus."""
    subscribe("orders", StockReserved, on_inventory_stock_reserved)
    subscribe("orders", StockReservationFailed, on_inventory_reservation_failed)
    subscribe("orders", ReservationExpired, on_inventory_reservation_expired)
    subscribe("orders", UserErased, on_users_user_erased)
