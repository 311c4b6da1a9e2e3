import uuid

import pytest

from apps.catalog.models import Product, ProductAvailability
from apps.common.db import alias_for
from apps.eventbus.models import InboxRecord, OutboxEvent
from apps.eventbus.outbox import send_rows
from tests.catalog.conftest import availability_changed

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/products/"


def in_stock_skus(api_client) -> list[str]:
    response = api_client.get(URL, {"in_stock": "true"})
    return [p["sku"] for p in response.json()["results"]]


def test_availability_flips_drive_in_stock_of_the_listing(
    api_client, make_product, deliver_events
):
    product = make_product(sku="S-1")
    make_product(sku="S-2")
    deliver_events()

    availability_changed(product.pk, in_stock=True, version=1)
    deliver_events()
    assert in_stock_skus(api_client) == ["S-1"]

    availability_changed(product.pk, in_stock=False, version=2)
    deliver_events()
    assert in_stock_skus(api_client) == []


def test_out_of_order_levels_keep_the_newest_version(
    api_client, make_product, deliver_events
):
    product = make_product(sku="S-1")
    availability_changed(product.pk, in_stock=False, version=5)
    availability_changed(product.pk, in_stock=True, version=4)  # late, older

    deliver_events()

    row = ProductAvailability.objects.get(pk=product.pk)
    assert (row.in_stock, row.version) == (False, 5)
    assert Product.objects.get(pk=product.pk).in_stock is False
    assert in_stock_skus(api_client) == []


def test_redelivered_event_is_applied_once(make_product, deliver_events):
    product = make_product(sku="S-1")
    availability_changed(product.pk, in_stock=True, version=1)
    deliver_events()
    alias = alias_for("inventory")
    row = OutboxEvent.objects.using(alias).get(
        event_type="inventory.stock.availability_changed.v1"
    )

    OutboxEvent.objects.using(alias).filter(pk=row.pk).update(sent_at=None)
    assert send_rows(alias, [row.pk]) == 1  # delivered a second time

    inbox = InboxRecord.objects.using(alias_for("catalog")).filter(
        consumer="catalog", event_id=row.event_id
    )
    assert inbox.count() == 1
    assert ProductAvailability.objects.get(pk=product.pk).version == 1


def test_availability_of_a_product_the_catalog_does_not_know_is_recorded_harmlessly(
    deliver_events,
):
    unknown = uuid.uuid4()

    availability_changed(unknown, in_stock=True, version=1)
    deliver_events()

    assert ProductAvailability.objects.get(pk=unknown).in_stock is True
    assert Product.objects.count() == 0


def test_an_availability_that_flips_nothing_locks_and_writes_only_the_read_model(
    make_product,
):
    from apps.catalog import services
    from tests.catalog.conftest import catalog_queries

    product = make_product(sku="S-1")
    services.product_availability_apply(product_id=product.pk, in_stock=True, version=1)

    with catalog_queries() as queries:
        services.product_availability_apply(
            product_id=product.pk, in_stock=True, version=2
        )

    statements = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'UPDATE "catalog_productavailability"' in statements
    assert "FOR UPDATE" not in statements
    assert 'UPDATE "catalog_variant"' not in statements
    assert 'UPDATE "catalog_product"' not in statements
    assert ProductAvailability.objects.get(pk=product.pk).version == 2
    assert Product.objects.get(pk=product.pk).in_stock is True
