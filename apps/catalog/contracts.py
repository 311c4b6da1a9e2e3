"""Public plain-data contracts of the catalog (standard library only)."""

import uuid
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class ProductSnapshot:
    """A product as it is now; the orders app copies it into order lines."""

    id: uuid.UUID
    sku: str
    name: str
    unit_price: Decimal
    currency: str
    is_active: bool
    # "standard" or "reduced": picks the country's VAT rate at checkout.
    tax_class: str = "standard"


@dataclass(frozen=True, kw_only=True)
class CategorySummary:
    slug: str
    name: str
    parent_slug: str | None
