"""Events the catalog publishes (public; standard library only)."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from apps.eventbus.schema import Event


@dataclass(frozen=True, kw_only=True)
class ProductCreated(Event):
    event_type = "catalog.product.created.v1"
    product_id: uuid.UUID
    sku: str
    name: str
    price: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class ProductPriceChanged(Event):
    event_type = "catalog.product.price_changed.v1"
    product_id: uuid.UUID
    old_price: Decimal
    new_price: Decimal
    currency: str


@dataclass(frozen=True, kw_only=True)
class ProductDeactivated(Event):
    event_type = "catalog.product.deactivated.v1"
    product_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ProductChanged(Event):
    """Anything a product shows changed (`fields`: the names that did, among
    them `price` and `is_active`); published beside the specific events."""

    event_type = "catalog.product.changed.v1"
    product_id: uuid.UUID
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CategoryChanged(Event):
    """A category was created, changed or deleted (`action`)."""

    event_type = "catalog.category.changed.v1"
    category_id: int
    slug: str
    action: str
