"""Public functions other apps may call: plain data in, contracts out."""

import uuid
from collections.abc import Iterable

from apps.inventory.contracts import StockAvailability


def stock_availability(
    product_ids: Iterable[uuid.UUID | str],
) -> dict[uuid.UUID, StockAvailability]:
    """Current stock of the given products, keyed by id; unknown ids are absent."""
    raise NotImplementedError("built by the inventory issue")
