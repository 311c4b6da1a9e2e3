import itertools
import uuid
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.catalog import services
from apps.catalog.events import ProductCreated, ProductDeactivated, ProductPriceChanged
from apps.common.db import alias_for, atomic_for
from apps.eventbus.api import publish
from apps.eventbus.models import OutboxEvent
from apps.inventory.events import StockAvailabilityChanged

CATALOG_EVENTS = [
    ProductCreated.event_type,
    ProductPriceChanged.event_type,
    ProductDeactivated.event_type,
]


@pytest.fixture
def media(settings, tmp_path):
    """The default storage in a folder of this test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    return tmp_path


@pytest.fixture
def make_category(db):
    def make(name: str, *, slug: str = "", parent=None):
        return services.category_create(name=name, slug=slug, parent=parent)

    return make


@pytest.fixture
def make_product(db):
    counter = itertools.count(1)

    def make(**fields):
        n = next(counter)
        defaults = {"sku": f"SKU-{n:04d}", "name": f"Product {n}", "price": "10.00"}
        fields = {**defaults, **fields}
        fields["price"] = Decimal(str(fields["price"]))
        return services.product_create(**fields)

    return make


def catalog_events(event_type: str | None = None) -> list[dict]:
    """Payloads of the catalog's outbox, oldest first."""
    rows = OutboxEvent.objects.using(alias_for("catalog")).filter(
        event_type__in=CATALOG_EVENTS if event_type is None else [event_type]
    )
    return [{"event_type": r.event_type, **r.payload} for r in rows.order_by("id")]


def availability_changed(product_id, *, in_stock: bool, version: int) -> None:
    """Inventory's event, published as the inventory would."""
    with atomic_for("inventory"):
        publish(
            StockAvailabilityChanged(
                product_id=product_id, in_stock=in_stock, version=version
            )
        )


@contextmanager
def catalog_queries():
    with CaptureQueriesContext(connections[alias_for("catalog")]) as ctx:
        yield ctx


@pytest.fixture
def make_shirt(db, make_category):
    """A T-shirt in three sizes (M, L, XL at 19.90, 19.90, 24.90)."""

    def make(*, sku: str = "TEE", name: str = "T-shirt", category=None, **fields):
        return services.product_create(
            sku=sku,
            name=name,
            category=category,
            variants=[
                {"sku": f"{sku}-M", "price": "19.90", "options": {"size": "M"}},
                {"sku": f"{sku}-L", "price": "19.90", "options": {"size": "L"}},
                {"sku": f"{sku}-XL", "price": "24.90", "options": {"size": "XL"}},
            ],
            **fields,
        )

    return make


def variant_ids(product) -> dict[str, uuid.UUID]:
    """{sku: variant id} of a product."""
    from apps.catalog.models import Variant

    return dict(Variant.objects.filter(product=product).values_list("sku", "pk"))
