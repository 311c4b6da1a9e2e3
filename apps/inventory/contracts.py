"""Public plain-data contracts of the inventory (standard library only)."""

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class StockAvailability:
    product_id: uuid.UUID
    on_hand: int
    reserved: int
    available: int


class StockNotFound(LookupError):
    """The product has no stock item (yet: it follows the catalog's event)."""
