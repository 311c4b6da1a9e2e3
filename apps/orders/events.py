"""Events the orders app publishes (public; standard library only).

A guest's order has no user: `user_id` is None and `email` is the address its
e-mails go to (blank for a customer's order, whose address the users app
knows)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from apps.eventbus.schema import Event


@dataclass(frozen=True, kw_only=True)
class PlacedLine:
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(Event):
    event_type = "orders.order.placed.v1"
    order_id: uuid.UUID
    user_id: uuid.UUID | None
    lines: tuple[PlacedLine, ...]
    total: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class OrderConfirmed(Event):
    event_type = "orders.order.confirmed.v1"
    order_id: uuid.UUID
    user_id: uuid.UUID | None
    reservation_expires_at: dt.datetime
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderFailed(Event):
    event_type = "orders.order.failed.v1"
    order_id: uuid.UUID
    user_id: uuid.UUID | None
    reason: str
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(Event):
    event_type = "orders.order.cancelled.v1"
    order_id: uuid.UUID
    user_id: uuid.UUID | None
    reason: str
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderPaid(Event):
    event_type = "orders.order.paid.v1"
    order_id: uuid.UUID
    user_id: uuid.UUID | None
    payment_id: uuid.UUID
    amount: Decimal
    currency: str
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(Event):
    event_type = "orders.order.refunded.v1"
    order_id: uuid.UUID
    user_id: uuid.UUID | None
    amount: Decimal
    currency: str
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderShipped(Event):
    event_type = "orders.order.shipped.v1"
    order_id: uuid.UUID
    user_id: uuid.UUID | None
    carrier: str
    tracking_number: str
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(Event):
    event_type = "orders.order.delivered.v1"
    order_id: uuid.UUID
    user_id: uuid.UUID | None
    email: str = ""


@dataclass(frozen=True, kw_only=True)
class VoucherUse(Event):
    """An order's use of a voucher (the base of the two events below)."""

    voucher_id: int
    code: str
    order_id: uuid.UUID
    customer_id: uuid.UUID | None


@dataclass(frozen=True, kw_only=True)
class VoucherRedeemed(VoucherUse):
    """A voucher was used by an order (in the order's checkout transaction)."""

    event_type = "orders.voucher.redeemed.v1"


@dataclass(frozen=True, kw_only=True)
class VoucherReleased(VoucherUse):
    """An order that used a voucher failed or was cancelled: its use is back."""

    event_type = "orders.voucher.released.v1"
