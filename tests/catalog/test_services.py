from decimal import Decimal

import pytest

from apps.catalog import services
from apps.catalog.models import Category, Product, ProductAvailability
from apps.common.errors import ValidationFailed
from tests.catalog.conftest import catalog_events

pytestmark = pytest.mark.django_db


def test_product_create_stores_the_product_and_publishes_created(make_category):
    shoes = make_category("Shoes")

    product = services.product_create(
        sku=" RUN-42 ", name="Runner", price=Decimal("59.90"), category=shoes
    )

    stored = Product.objects.get(pk=product.pk)
    assert (stored.sku, stored.name, stored.price, stored.currency) == (
        "RUN-42",
        "Runner",
        Decimal("59.90"),
        "EUR",
    )
    assert (stored.slug, stored.category_id, stored.is_active, stored.in_stock) == (
        "runner-run-42",
        shoes.pk,
        True,
        False,
    )
    assert catalog_events() == [
        {
            "event_type": "catalog.product.created.v1",
            "product_id": str(product.pk),
            "sku": "RUN-42",
            "name": "Runner",
            "price": "59.90",
            "currency": "EUR",
        }
    ]


def test_duplicate_sku_differing_only_in_case_is_rejected(make_product):
    make_product(sku="ABC-1")

    with pytest.raises(ValidationFailed) as caught:
        services.product_create(sku="abc-1", name="Copy", price=Decimal("1.00"))

    assert caught.value.extra["errors"] == {
        "sku": ["A product with this SKU already exists."]
    }
    assert Product.objects.count() == 1
    assert len(catalog_events()) == 1


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-0.01", "Ensure the price is not negative."),
        ("abc", "A valid number is required."),
        ("NaN", "A valid number is required."),
        ("1.001", "Use at most 10 digits before and 2 after the decimal point."),
        ("10000000000", "Use at most 10 digits before and 2 after the decimal point."),
    ],
)
def test_bad_price_is_a_field_error_and_nothing_is_stored(price, message):
    with pytest.raises(ValidationFailed) as caught:
        services.product_create(sku="X-1", name="X", price=price)

    assert caught.value.extra["errors"] == {"price": [message]}
    assert Product.objects.count() == 0
    assert catalog_events() == []


def test_price_change_publishes_old_and_new_price(make_product):
    product = make_product(price="10.00")

    services.product_update(product_id=product.pk, data={"price": Decimal("12.5")})
    services.product_update(product_id=product.pk, data={"name": "Renamed"})

    product.refresh_from_db()
    assert (product.price, product.name) == (Decimal("12.50"), "Renamed")
    assert catalog_events("catalog.product.price_changed.v1") == [
        {
            "event_type": "catalog.product.price_changed.v1",
            "product_id": str(product.pk),
            "old_price": "10.00",
            "new_price": "12.50",
            "currency": "EUR",
        }
    ]


def test_deactivate_is_idempotent_and_publishes_once(make_product):
    product = make_product()

    services.product_deactivate(product_id=product.pk)
    services.product_deactivate(product_id=product.pk)

    assert Product.objects.get(pk=product.pk).is_active is False
    assert catalog_events("catalog.product.deactivated.v1") == [
        {
            "event_type": "catalog.product.deactivated.v1",
            "product_id": str(product.pk),
        }
    ]


def test_update_to_a_taken_sku_changes_nothing(make_product):
    make_product(sku="TAKEN")
    product = make_product(sku="FREE", price="3.00")

    with pytest.raises(ValidationFailed) as caught:
        services.product_update(
            product_id=product.pk, data={"sku": "taken", "price": Decimal("4.00")}
        )

    assert caught.value.extra["errors"] == {
        "sku": ["A product with this SKU already exists."]
    }
    product.refresh_from_db()
    assert (product.sku, product.price) == ("FREE", Decimal("3.00"))
    assert catalog_events("catalog.product.price_changed.v1") == []


def test_category_cannot_be_moved_below_its_own_descendant(make_category):
    root = make_category("Root")
    child = make_category("Child", parent=root)

    with pytest.raises(ValidationFailed) as caught:
        services.category_update(category=root, data={"parent": child})

    assert caught.value.extra["errors"] == {
        "parent": ["A category cannot be placed below itself."]
    }
    root.refresh_from_db()
    assert root.parent_id is None


def test_availability_keeps_the_newest_version_only(make_product):
    product = make_product()

    applied = [
        services.product_availability_apply(
            product_id=product.pk, in_stock=in_stock, version=version
        )
        for in_stock, version in [
            (True, 2),
            (False, 1),
            (True, 2),
            (False, 3),
            (True, 3),
        ]
    ]

    assert applied == [True, False, False, True, False]
    product.refresh_from_db()
    assert product.in_stock is False
    row = ProductAvailability.objects.get(pk=product.pk)
    assert (row.in_stock, row.version) == (False, 3)


def test_category_name_too_long_is_a_field_error():
    with pytest.raises(ValidationFailed) as caught:
        services.category_create(name="x" * 121, slug="long")

    assert caught.value.extra["errors"] == {
        "name": ["Ensure this field has no more than 120 characters."]
    }
    assert not Category.objects.exists()
