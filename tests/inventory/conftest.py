import uuid

import pytest

from apps.common.db import alias_for
from apps.eventbus.models import OutboxEvent
from apps.inventory import services
from apps.inventory.models import StockItem, StockMovement


def make_stock(on_hand: int = 0, product_id: uuid.UUID | None = None) -> uuid.UUID:
    """A stock item with `on_hand` received, through the services."""
    product_id = product_id or uuid.uuid4()
    services.stock_item_create(product_id=product_id)
    if on_hand:
        services.stock_adjust(
            product_id=product_id,
            delta=on_hand,
            reason="initial",
            actor="test",
            kind=services.Kind.RECEIPT,
        )
    return product_id


def levels(product_id: uuid.UUID) -> tuple[int, int]:
    item = StockItem.objects.get(pk=product_id)
    return item.on_hand, item.reserved


def published(event_type: str) -> list[dict]:
    """Payloads the inventory published of one type, oldest first."""
    return list(
        OutboxEvent.objects.using(alias_for("inventory"))
        .filter(event_type=event_type)
        .order_by("id")
        .values_list("payload", flat=True)
    )


def ledger(product_id: uuid.UUID) -> list[tuple[str, int, int]]:
    return list(
        StockMovement.objects.filter(stock_item_id=product_id)
        .order_by("id")
        .values_list("kind", "on_hand_delta", "reserved_delta")
    )


@pytest.fixture
def stock(db):
    return make_stock
