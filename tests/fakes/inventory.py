"""A fake inventory: the stock levels the test states."""

import uuid

from apps.common.errors import ValidationFailed
from apps.inventory.contracts import StockAvailability, StockNotFound
from tests.fakes.plain import product_uuids


class FakeInventory:
    app = "inventory"

    def __init__(self):
        self.stock: dict[uuid.UUID, StockAvailability] = {}
        self.received: set[str] = set()

    def stock_set(self, *, product_id: uuid.UUID, on_hand: int, reserved: int = 0):
        self.stock[product_id] = StockAvailability(
            product_id=product_id,
            on_hand=on_hand,
            reserved=reserved,
            available=on_hand - reserved,
        )
        return self.stock[product_id]

    def stock_availability(
        self, *, product_ids: list[uuid.UUID | str]
    ) -> dict[uuid.UUID, StockAvailability]:
        ids = product_uuids(product_ids)
        return {i: self.stock[i] for i in ids if i in self.stock}

    def stock_receive(
        self, *, product_id: uuid.UUID | str, quantity: int, reference: str, actor: str
    ) -> bool:
        item = self.stock.get(uuid.UUID(str(product_id)))
        if item is None:
            raise StockNotFound(str(product_id))
        if quantity < 1 or not reference:
            raise ValidationFailed({"quantity": ["A positive quantity is required."]})
        if reference in self.received:
            return False
        self.received.add(reference)
        self.stock_set(
            product_id=item.product_id,
            on_hand=item.on_hand + quantity,
            reserved=item.reserved,
        )
        return True
