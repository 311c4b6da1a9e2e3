"""Public plain-data contracts of the orders app (standard library only)."""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class OrderLineSummary:
    product_id: uuid.UUID
    sku: str
    name: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal


@dataclass(frozen=True, kw_only=True)
class OrderSummary:
    """An order as it is now (read-only)."""

    id: uuid.UUID
    user_id: uuid.UUID
    status: str
    currency: str
    total: Decimal
    lines: tuple[OrderLineSummary, ...]
    created_at: dt.datetime


class OrderNotFound(LookupError):
    pass


# An order in one of these may still move money or goods: its customer's
# account cannot be erased until it ends (delivered, cancelled, refunded, failed).
IN_PROGRESS_STATUSES = frozenset({"pending", "confirmed", "paid", "shipped"})


@dataclass(frozen=True, kw_only=True)
class ShippingAddressData:
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str


@dataclass(frozen=True, kw_only=True)
class PaymentData:
    """A payment attempt without the gateway's keys."""

    order_id: uuid.UUID
    amount: Decimal
    currency: str
    status: str
    created_at: dt.datetime


@dataclass(frozen=True, kw_only=True)
class CustomerOrderData:
    """What the orders app keeps about one customer: the orders, the distinct
    addresses they were shipped to, and the payments."""

    orders: tuple[OrderSummary, ...]
    addresses: tuple[ShippingAddressData, ...]
    payments: tuple[PaymentData, ...]
