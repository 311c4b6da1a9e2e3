"""Public functions other apps may call: plain data in, contracts out."""

import uuid

from apps.inventory import selectors
from apps.inventory.contracts import StockAvailability


def _availability(item) -> StockAvailability:
    return StockAvailability(
        product_id=item.product_id,
        on_hand=item.on_hand,
        reserved=item.reserved,
        available=item.on_hand - item.reserved,
    )


def stock_availability(
    *, product_ids: list[uuid.UUID | str]
) -> dict[uuid.UUID, StockAvailability]:
    """Current stock of the given products, keyed by id; unknown ids are absent.
    Raises ValueError for an id that is not a UUID."""
    ids = {uuid.UUID(str(pid)) for pid in product_ids}
    return {
        item.product_id: _availability(item)
        for item in selectors.stock_item_list(product_ids=ids)
    }
