"""Consumers of other apps' events (private)."""

from apps.catalog import services
from apps.eventbus.api import EventMeta, subscribe
from apps.inventory.events import StockLevelChanged


def on_inventory_stock_level_changed(event: StockLevelChanged, meta: EventMeta) -> None:
    """Keep `in_stock` of the listing; stale and repeated levels are ignored by
    the event's per-product `version`."""
    services.product_availability_apply(
        product_id=event.product_id, available=event.available, version=event.version
    )


def register() -> None:
    """Subscribe this app's handlers to the event bus."""
    subscribe("catalog", StockLevelChanged, on_inventory_stock_level_changed)
