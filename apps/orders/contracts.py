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
