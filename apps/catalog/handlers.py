"""Consumers of events (private): inventory's stock levels, and the catalog's
own changes, which make its cached reads stale."""

from apps.catalog import services
from apps.catalog.events import CategoryChanged, ProductChanged, ProductCreated
from apps.eventbus.api import EventMeta, subscribe
from apps.inventory.events import StockLevelChanged


def on_inventory_stock_level_changed(event: StockLevelChanged, meta: EventMeta) -> None:
    """Keep `in_stock` of the listing; stale and repeated levels are ignored by
    the event's per-product `version`."""
    services.product_availability_apply(
        product_id=event.product_id, available=event.available, version=event.version
    )


def on_catalog_changed(
    event: ProductCreated | ProductChanged | CategoryChanged, meta: EventMeta
) -> None:
    """A product or category changed: the cached anonymous reads are stale."""
    services.catalog_reads_changed()


def register() -> None:
    """Subscribe this app's handlers to the event bus."""
    subscribe("catalog", StockLevelChanged, on_inventory_stock_level_changed)
    for event_class in (ProductCreated, ProductChanged, CategoryChanged):
        subscribe("catalog", event_class, on_catalog_changed)
