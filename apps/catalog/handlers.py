"""Consumers of events (private): inventory's sold-out and back-in-stock
flips, and the catalog's own changes, which make its cached reads stale."""

from apps.catalog import services
from apps.catalog.events import CategoryChanged, ProductChanged, ProductCreated
from apps.eventbus.api import EventMeta, subscribe
from apps.inventory.events import StockAvailabilityChanged


def on_inventory_stock_availability_changed(
    event: StockAvailabilityChanged, meta: EventMeta
) -> None:
    """Keep `in_stock` of the listing; stale and repeated flips are ignored by
    the event's per-product `version`."""
    services.product_availability_apply(
        product_id=event.product_id, in_stock=event.in_stock, version=event.version
    )


def on_catalog_changed(
    event: ProductCreated | ProductChanged | CategoryChanged, meta: EventMeta
) -> None:
    """A product or category changed: the cached anonymous reads are stale."""
    services.catalog_reads_changed()


def register() -> None:
    """Subscribe this app's handlers to the event bus."""
    subscribe(
        "catalog", StockAvailabilityChanged, on_inventory_stock_availability_changed
    )
    for event_class in (ProductCreated, ProductChanged, CategoryChanged):
        subscribe("catalog", event_class, on_catalog_changed)
