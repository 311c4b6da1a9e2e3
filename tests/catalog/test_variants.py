"""Variants: the sellable items of a product, written through the services."""

from decimal import Decimal

import pytest

from apps.catalog import services
from apps.catalog.contracts import ProductSnapshot
from apps.catalog.interface import product_snapshots
from apps.catalog.models import Product, Variant, VariantOption
from apps.common.errors import ValidationFailed
from tests.catalog.conftest import (
    availability_changed,
    catalog_events,
    catalog_queries,
    variant_ids,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/products/"


def test_a_product_made_without_variants_is_sold_under_its_own_id(make_product):
    product = make_product(sku="LAMP-1", name="Lamp", price="12.50")

    variant = Variant.objects.get(product=product)
    assert (variant.pk, variant.sku, variant.price) == (
        product.pk,
        "LAMP-1",
        Decimal("12.50"),
    )
    assert (product.price, product.price_max) == (Decimal("12.50"), Decimal("12.50"))
    assert not VariantOption.objects.exists()


def test_a_product_with_variants_publishes_one_creation_per_variant(make_shirt):
    shirt = make_shirt()

    ids = variant_ids(shirt)
    assert shirt.pk not in ids.values()
    assert (shirt.price, shirt.price_max) == (Decimal("19.90"), Decimal("24.90"))
    assert [
        (e["product_id"], e["sku"], e["name"], e["price"]) for e in catalog_events()
    ] == [
        (str(ids["TEE-M"]), "TEE-M", "T-shirt (M)", "19.90"),
        (str(ids["TEE-L"]), "TEE-L", "T-shirt (L)", "19.90"),
        (str(ids["TEE-XL"]), "TEE-XL", "T-shirt (XL)", "24.90"),
    ]


@pytest.mark.parametrize(
    ("variants", "errors"),
    [
        (
            [
                {"sku": "V-1", "price": "1", "options": {"size": "M"}},
                {"sku": "V-2", "price": "1", "options": {"colour": "red"}},
            ],
            {
                "variants.1.options": [
                    "Every variant of a product has the same options."
                ]
            },
        ),
        (
            [
                {"sku": "V-1", "price": "1", "options": {"size": "M"}},
                {"sku": "V-2", "price": "1", "options": {"Size": "m"}},
            ],
            {"variants.1.options": ["Another variant has these option values."]},
        ),
        (
            [
                {"sku": "V-1", "price": "1", "options": {"size": "M"}},
                {"sku": "v-1", "price": "1", "options": {"size": "L"}},
            ],
            {"variants.1.sku": ["A variant with this SKU already exists."]},
        ),
        (
            [{"sku": "OLD-1", "price": "1", "options": {"size": "M"}}],
            {"variants.0.sku": ["A variant with this SKU already exists."]},
        ),
        (
            [{"sku": "V-1", "price": "-1", "options": {"size": "M"}}],
            {"variants.0.price": ["Ensure the price is not negative."]},
        ),
        (
            [{"sku": "V-1", "price": "1", "options": {"size": ""}}],
            {
                "variants.0.options": [
                    "Option names and values have 1 to 60 characters."
                ]
            },
        ),
    ],
)
def test_bad_variants_are_refused_by_field_and_store_nothing(
    make_product, variants, errors
):
    make_product(sku="OLD-1")

    with pytest.raises(ValidationFailed) as refused:
        services.product_create(sku="NEW", name="New", variants=variants)

    assert refused.value.extra["errors"] == errors
    assert list(Product.objects.values_list("sku", flat=True)) == ["OLD-1"]
    assert list(Variant.objects.values_list("sku", flat=True)) == ["OLD-1"]
    assert len(catalog_events()) == 1


def test_a_variant_added_later_takes_the_products_option_names(make_shirt):
    shirt = make_shirt()

    with pytest.raises(ValidationFailed) as refused:
        services.variant_create(
            product_id=shirt.pk, sku="TEE-S", price="18", options={"colour": "red"}
        )
    assert refused.value.extra["errors"] == {
        "options": ["Every variant of a product has the same options."]
    }

    small = services.variant_create(
        product_id=shirt.pk, sku="TEE-S", price="17.50", options={"size": "S"}
    )
    shirt.refresh_from_db()
    assert (shirt.price, shirt.price_max) == (Decimal("17.50"), Decimal("24.90"))
    assert shirt.variant_skus == "TEE-M TEE-L TEE-XL TEE-S"
    assert catalog_events()[-1]["product_id"] == str(small.pk)


def test_variant_price_change_and_deactivation_publish_under_the_variant_id(
    make_shirt,
):
    shirt = make_shirt()
    xl = variant_ids(shirt)["TEE-XL"]

    services.variant_update(variant_id=xl, data={"price": "29.90"})
    services.variant_update(variant_id=xl, data={"is_active": False})
    services.variant_update(variant_id=xl, data={"is_active": False})

    events = catalog_events()[3:]
    assert [(e["event_type"], e["product_id"]) for e in events] == [
        ("catalog.product.price_changed.v1", str(xl)),
        ("catalog.product.deactivated.v1", str(xl)),
    ]
    assert (events[0]["old_price"], events[0]["new_price"]) == ("24.90", "29.90")
    shirt.refresh_from_db()
    # The range spans the active variants only.
    assert (shirt.price, shirt.price_max) == (Decimal("19.90"), Decimal("19.90"))


def test_the_price_of_a_product_with_several_variants_is_set_per_variant(make_shirt):
    shirt = make_shirt()

    with pytest.raises(ValidationFailed) as refused:
        services.product_update(product_id=shirt.pk, data={"price": "5", "name": "X"})

    assert refused.value.extra["errors"] == {
        "price": ["This product has 3 variants: change their prices."]
    }
    shirt.refresh_from_db()
    assert (shirt.name, shirt.price) == ("T-shirt", Decimal("19.90"))
    assert len(catalog_events()) == 3


def test_single_variant_price_and_sku_follow_the_product(make_product):
    product = make_product(sku="ONE-1", price="3.00")

    services.product_update(product_id=product.pk, data={"price": "4", "sku": "ONE-2"})

    variant = Variant.objects.get(pk=product.pk)
    assert (variant.sku, variant.price) == ("ONE-2", Decimal("4.00"))
    assert product_snapshots(product_ids=[product.pk])[product.pk].sku == "ONE-2"


def test_deactivating_a_product_deactivates_each_active_sellable(make_shirt):
    shirt = make_shirt()
    ids = variant_ids(shirt)
    services.variant_update(variant_id=ids["TEE-L"], data={"is_active": False})

    services.product_deactivate(product_id=shirt.pk)

    deactivated = catalog_events("catalog.product.deactivated.v1")
    # L once (by its own deactivation), then the two still active.
    assert [e["product_id"] for e in deactivated] == [
        str(ids["TEE-L"]),
        str(ids["TEE-M"]),
        str(ids["TEE-XL"]),
    ]


def test_snapshots_name_the_variant_and_follow_the_product_active_flag(make_shirt):
    shirt = make_shirt()
    m = variant_ids(shirt)["TEE-M"]
    services.product_deactivate(product_id=shirt.pk)

    with catalog_queries() as queries:
        found = product_snapshots(product_ids=[m, shirt.pk])

    assert len(queries) == 1
    assert found == {
        m: ProductSnapshot(
            id=m,
            sku="TEE-M",
            name="T-shirt (M)",
            unit_price=Decimal("19.90"),
            currency="EUR",
            is_active=False,
        )
    }


def test_product_in_stock_when_any_active_variant_is(make_shirt, deliver_events):
    shirt = make_shirt()
    ids = variant_ids(shirt)

    availability_changed(ids["TEE-L"], in_stock=True, version=1)
    deliver_events()
    shirt.refresh_from_db()
    assert shirt.in_stock is True

    services.variant_update(variant_id=ids["TEE-L"], data={"is_active": False})
    shirt.refresh_from_db()
    assert shirt.in_stock is False

    availability_changed(ids["TEE-M"], in_stock=True, version=1)
    availability_changed(ids["TEE-L"], in_stock=False, version=2)
    deliver_events()
    shirt.refresh_from_db()
    assert shirt.in_stock is True
    assert dict(Variant.objects.values_list("sku", "in_stock")) == {
        "TEE-M": True,
        "TEE-L": False,
        "TEE-XL": False,
    }
