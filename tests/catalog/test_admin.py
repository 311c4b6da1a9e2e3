from decimal import Decimal

import pytest
from django.test import Client

from apps.catalog import services
from apps.catalog.models import Category, Product, Variant
from tests.catalog.conftest import catalog_events
from tests.conftest import admin_account

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/catalog/product/"
# The image inline's management form, with no image row.
NO_IMAGES = {"images-TOTAL_FORMS": "0", "images-INITIAL_FORMS": "0"}


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(admin_account(email="staff@example.com", is_superuser=False))
    return client


def test_staff_adds_a_category_below_another_and_sees_the_tree(admin_client):
    parent = services.category_create(name="Electronics")

    response = admin_client.post(
        "/admin/catalog/category/add/",
        {"name": "Audio", "slug": "audio", "parent": parent.pk},
    )

    assert response.status_code == 302
    assert Category.objects.get(slug="audio").parent_id == parent.pk
    services.category_create(name="Art")
    page = admin_client.get("/admin/catalog/category/").content.decode()
    assert "\u2014 Audio" in page
    assert page.index("Art") < page.index("Electronics") < page.index("\u2014 Audio")


def test_staff_adds_a_product_through_the_service(admin_client):
    category = services.category_create(name="Books")

    response = admin_client.post(
        "/admin/catalog/product/add/",
        {
            "sku": "BK-1",
            "name": "Fluent Python",
            "slug": "fluent-python",
            "category": category.pk,
            "price": "59.00",
            "tax_class": "reduced",
            "description": "",
            "is_active": "on",
            **NO_IMAGES,
        },
    )

    assert response.status_code == 302
    product = Product.objects.get(sku="BK-1")
    assert (
        product.price,
        product.currency,
        product.category_id,
        product.tax_class,
    ) == (Decimal("59.00"), "EUR", category.pk, "reduced")
    assert catalog_events() == [
        {
            "event_type": "catalog.product.created.v1",
            "product_id": str(product.pk),
            "sku": "BK-1",
            "name": "Fluent Python",
            "price": "59.00",
            "currency": "EUR",
        }
    ]


def test_duplicate_sku_in_the_admin_is_a_form_error(admin_client, make_product):
    make_product(sku="BK-1")

    response = admin_client.post(
        "/admin/catalog/product/add/",
        {"sku": "bk-1", "name": "Copy", "slug": "copy", "price": "1.00", **NO_IMAGES},
    )

    assert response.status_code == 200
    assert "A product with this SKU already exists." in response.content.decode()
    assert Product.objects.count() == 1


def test_price_and_active_edited_in_the_list_publish_and_show_in_the_api(
    admin_client, api_client, make_product
):
    first = make_product(sku="A-1", price="10.00")
    second = make_product(sku="B-1", price="20.00")

    response = admin_client.post(
        CHANGELIST,
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": str(first.pk),
            "form-0-price": "12.00",
            "form-0-is_active": "on",
            "form-1-id": str(second.pk),
            "form-1-price": "20.00",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    api = api_client.get(f"/api/v1/catalog/products/{first.pk}/").json()
    assert api["price"] == "12.00"
    assert api_client.get(f"/api/v1/catalog/products/{second.pk}/").status_code == 404
    assert [e["event_type"] for e in catalog_events()[2:]] == [
        "catalog.product.price_changed.v1",
        "catalog.product.deactivated.v1",
    ]


def test_bulk_actions_deactivate_and_activate(admin_client, make_product):
    products = [make_product(), make_product(), make_product()]
    ids = [str(p.pk) for p in products[:2]]

    admin_client.post(
        CHANGELIST, {"action": "deactivate_selected", "_selected_action": ids}
    )
    assert sorted(
        Product.objects.filter(is_active=False).values_list("sku", flat=True)
    ) == [
        products[0].sku,
        products[1].sku,
    ]
    assert len(catalog_events("catalog.product.deactivated.v1")) == 2

    admin_client.post(
        CHANGELIST, {"action": "activate_selected", "_selected_action": ids}
    )
    assert Product.objects.filter(is_active=True).count() == 3


def test_products_cannot_be_deleted_from_the_admin(admin_client, make_product):
    product = make_product()

    response = admin_client.post(f"{CHANGELIST}{product.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()


def test_customer_has_no_admin(db):
    client = Client()
    customer = admin_account(
        email="customer@example.com", is_staff=False, is_superuser=False
    )
    client.force_login(customer)

    assert client.get(CHANGELIST).status_code == 302  # to the admin login


def _change_form(product, variants: list[dict], extra: dict | None = None) -> dict:
    """The POST of the product's change form with its variants inline."""
    data = {
        "sku": product.sku,
        "name": product.name,
        "slug": product.slug,
        "category": "",
        "price": str(product.price),
        "tax_class": product.tax_class,
        "description": product.description,
        "is_active": "on",
        "variants-TOTAL_FORMS": str(len(variants) + (1 if extra else 0)),
        "variants-INITIAL_FORMS": str(len(variants)),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        **NO_IMAGES,
    }
    for i, variant in enumerate([*variants, *([extra] if extra else [])]):
        for field, value in variant.items():
            data[f"variants-{i}-{field}"] = value
    return data


def _blue_variant(product) -> dict:
    return {
        "product": str(product.pk),
        "sku": "LAMP-B",
        "price": "12.00",
        "options": "colour=blue",
        "is_active": "on",
    }


def test_staff_edit_variants_inline_through_the_services(admin_client):
    lamp = services.product_create(sku="LAMP", name="Lamp", price="10.00")
    url = f"{CHANGELIST}{lamp.pk}/change/"
    assert 'name="variants-0-sku"' in admin_client.get(url).content.decode()

    response = admin_client.post(
        url,
        _change_form(
            lamp,
            [
                {
                    "id": str(lamp.pk),
                    "product": str(lamp.pk),
                    "sku": "LAMP",
                    "price": "10.00",
                    "options": "colour=white",
                    "is_active": "on",
                }
            ],
            extra=_blue_variant(lamp),
        ),
    )

    assert response.status_code == 302
    variants = Variant.objects.filter(product=lamp).order_by("created_at")
    assert [(v.sku, v.options_label) for v in variants] == [
        ("LAMP", "white"),
        ("LAMP-B", "blue"),
    ]
    lamp.refresh_from_db()
    assert (lamp.price, lamp.price_max) == (Decimal("10.00"), Decimal("12.00"))
    assert [e["sku"] for e in catalog_events("catalog.product.created.v1")] == [
        "LAMP",
        "LAMP-B",
    ]


def test_a_refused_inline_variant_is_reported_and_not_saved(admin_client):
    lamp = services.product_create(sku="LAMP", name="Lamp", price="10.00")

    response = admin_client.post(
        f"{CHANGELIST}{lamp.pk}/change/",
        _change_form(
            lamp,
            [],
            extra=_blue_variant(lamp),
        ),
        follow=True,
    )

    assert (
        "Variant LAMP-B not saved: options: Every variant" in response.content.decode()
    )
    assert list(Variant.objects.values_list("sku", flat=True)) == ["LAMP"]
