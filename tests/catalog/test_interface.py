import uuid
from decimal import Decimal

import pytest

from apps.catalog import services
from apps.catalog.contracts import ProductSnapshot
from apps.catalog.interface import (
    category_create,
    category_list,
    product_create,
    product_snapshots,
    product_snapshots_by_sku,
)
from apps.common.errors import ValidationFailed
from tests.catalog.conftest import catalog_events, catalog_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("interface_transport")]


def test_snapshots_of_existing_products_in_one_query(make_product):
    active = make_product(sku="A-1", name="Amp", price="99.90")
    inactive = make_product(sku="B-1", name="Box", price="0.50")
    services.product_update(
        product_id=inactive.pk, data={"is_active": False, "tax_class": "reduced"}
    )
    unknown = uuid.uuid4()

    with catalog_queries() as queries:
        snapshots = product_snapshots(
            product_ids=[str(active.pk), inactive.pk, unknown]
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
            tax_class="reduced",
        ),
    }


def test_no_ids_means_no_query():
    with catalog_queries() as queries:
        assert product_snapshots(product_ids=[]) == {}
    assert len(queries) == 0


def test_snapshots_by_sku_match_any_case_keyed_as_asked(make_product):
    lamp = make_product(sku="Lamp-1", name="Lamp", price="12.00")

    with catalog_queries() as queries:
        found = product_snapshots_by_sku(skus=["LAMP-1", "NONE-1"])

    assert len(queries) == 1
    assert list(found) == ["LAMP-1"]
    assert (found["LAMP-1"].id, found["LAMP-1"].sku) == (lamp.pk, "Lamp-1")


def test_categories_and_products_created_through_the_interface():
    top = category_create(name="Audio", slug="audio")
    below = category_create(name="Headphones", slug="headphones", parent_slug="audio")
    product = product_create(
        sku="HP-1", name="Headphones", price="49.90", category_slug="headphones"
    )

    assert (top.parent_slug, below.parent_slug) == (None, "audio")
    assert category_list() == [top, below]
    assert (product.unit_price, product.is_active) == (Decimal("49.90"), True)
    assert [e["sku"] for e in catalog_events("catalog.product.created.v1")] == ["HP-1"]


@pytest.mark.parametrize(
    ("create", "field"),
    [
        (
            lambda: category_create(name="X", slug="x", parent_slug="none"),
            "parent_slug",
        ),
        (lambda: category_create(name=" ", slug="x"), "name"),
        (lambda: product_create(sku="X-1", name="X", price="-1"), "price"),
        (
            lambda: product_create(sku="X-1", name="X", price="1", category_slug="no"),
            "category_slug",
        ),
    ],
)
def test_bad_input_is_a_validation_error_and_creates_nothing(create, field):
    with pytest.raises(ValidationFailed) as refused:
        create()

    assert list(refused.value.extra["errors"]) == [field]
    assert category_list() == []
    assert product_snapshots_by_sku(skus=["X-1"]) == {}


def test_snapshots_refuse_an_id_that_is_not_a_uuid(make_product):
    known = make_product(sku="A-1", name="Amp", price="99.90")

    with pytest.raises(ValidationFailed) as refused:
        product_snapshots(product_ids=[known.pk, "junk"])

    assert refused.value.extra["errors"] == {"product_ids": ["Each id must be a UUID."]}
