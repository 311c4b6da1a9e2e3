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
class ProductImagesChanged(Event):
    """An image of the product was added, changed, moved or removed: what the
    product shows changed, though the product row did not."""

    event_type = "catalog.product.images_changed.v1"
    product_id: uuid.UUID
