"""Events the inventory publishes (public; standard library only)."""

import datetime as dt
import uuid
from dataclasses import dataclass

from apps.eventbus.schema import Event


@dataclass(frozen=True, kw_only=True)
class ReservedLine:
    product_id: uuid.UUID
    quantity: int


@dataclass(frozen=True, kw_only=True)
class ShortLine:
    product_id: uuid.UUID
    requested: int
    available: int


@dataclass(frozen=True, kw_only=True)
class StockReserved(Event):
    event_type = "inventory.stock.reserved.v1"
    order_id: uuid.UUID
    reservation_id: uuid.UUID
    expires_at: dt.datetime
    lines: tuple[ReservedLine, ...]


@dataclass(frozen=True, kw_only=True)
class StockReservationFailed(Event):
    event_type = "inventory.stock.reservation_failed.v1"
    order_id: uuid.UUID
    short_lines: tuple[ShortLine, ...]


@dataclass(frozen=True, kw_only=True)
class StockReleased(Event):
    event_type = "inventory.stock.released.v1"
    order_id: uuid.UUID
    reservation_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReservationExpired(Event):
    event_type = "inventory.reservation.expired.v1"
    order_id: uuid.UUID
    reservation_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class StockLevelChanged(Event):
    """Every change of a product's stock. `version` grows with every change of
    one product's stock, so a consumer can drop duplicates and out-of-order
    deliveries."""

    event_type = "inventory.stock.level_changed.v1"
    product_id: uuid.UUID
    on_hand: int
    reserved: int
    available: int
    version: int


@dataclass(frozen=True, kw_only=True)
class StockAvailabilityChanged(Event):
    """A product sold out or came back: published with the StockLevelChanged
    whose `available` crossed zero, with its `version`. For consumers that only
    show whether a product can be bought (one event per flip, not per sale)."""

    event_type = "inventory.stock.availability_changed.v1"
    product_id: uuid.UUID
    in_stock: bool
    version: int
