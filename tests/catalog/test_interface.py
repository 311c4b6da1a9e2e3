import uuid
from decimal import Decimal

import pytest

from apps.catalog import services
from apps.catalog.contracts import ProductSnapshot
from apps.catalog.interface import product_snapshots
from tests.catalog.conftest import catalog_queries

pytestmark = pytest.mark.django_db


def test_snapshots_of_existing_products_in_one_query(make_product):
    active = make_product(sku="A-1", name="Amp", price="99.90")
    inactive = make_product(sku="B-1", name="Box", price="0.50")
    services.product_deactivate(product_id=inactive.pk)
    unknown = uuid.uuid4()

    with catalog_queries() as queries:
        snapshots = product_snapshots(
            product_ids=[str(active.pk), inactive.pk, unknown, "junk"]
        )

    assert len(queries) == 1
    assert snapshots == {
        active.pk: ProductSnapshot(
            id=active.pk,
            sku="A-1",
            name="Amp",
            unit_price=Decimal("99.90"),
            currency="EUR",
            is_active=True,
        ),
        inactive.pk: ProductSnapshot(
            id=inactive.pk,
            sku="B-1",
            name="Box",
            unit_price=Decimal("0.50"),
            currency="EUR",
            is_active=False,
        ),
    }


def test_no_ids_means_no_query():
    with catalog_queries() as queries:
        assert product_snapshots(product_ids=[]) == {}
    assert len(queries) == 0
