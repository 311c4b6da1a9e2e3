"""Variants through the HTTP API: shown on the detail, written by staff."""

from decimal import Decimal

import pytest

from apps.catalog import services
from apps.catalog.models import Product, Variant
from tests.catalog.conftest import (
    availability_changed,
    catalog_events,
    catalog_queries,
    variant_ids,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/products/"


def test_detail_shows_options_and_active_variants_with_stock(
    api_client, staff_client, make_shirt, deliver_events
):
    shirt = make_shirt()
    ids = variant_ids(shirt)
    availability_changed(ids["TEE-L"], in_stock=True, version=1)
    deliver_events()
    services.variant_update(variant_id=ids["TEE-XL"], data={"is_active": False})

    with catalog_queries() as queries:
        body = api_client.get(f"{URL}{shirt.pk}/").json()

    # The product, its images, its variants with their option values.
    assert len(queries) == 3
    assert (body["price"], body["price_max"], body["in_stock"]) == (
        "19.90",
        "19.90",
        True,
    )
    assert body["options"] == [{"name": "size", "values": ["M", "L"]}]
    assert body["variants"] == [
        {
            "id": str(ids["TEE-M"]),
            "sku": "TEE-M",
            "price": "19.90",
            "options": {"size": "M"},
            "is_active": True,
            "in_stock": False,
        },
        {
            "id": str(ids["TEE-L"]),
            "sku": "TEE-L",
            "price": "19.90",
            "options": {"size": "L"},
            "is_active": True,
            "in_stock": True,
        },
    ]
    staff_body = staff_client.get(f"{URL}{shirt.pk}/").json()
    assert [v["sku"] for v in staff_body["variants"]] == ["TEE-M", "TEE-L", "TEE-XL"]
    assert api_client.get(f"{URL}{shirt.pk}/variants/{ids['TEE-XL']}/").status_code == (
        404
    )


def test_listing_shows_the_price_range_in_bounded_queries(api_client, make_shirt):
    for n in range(30):
        make_shirt(sku=f"T{n:02d}", name=f"Shirt {n}")

    counts = {}
    for size in (10, 30):
        with catalog_queries() as queries:
            response = api_client.get(URL, {"page_size": size, "option": "size:XL"})
        counts[size] = len(queries)
        rows = response.json()["results"]
        assert len(rows) == size
        assert {(r["price"], r["price_max"]) for r in rows} == {("19.90", "24.90")}
    assert counts == {10: 1, 30: 1}


def test_staff_creates_a_product_with_variants(staff_client):
    response = staff_client.post(
        URL,
        {
            "sku": "TEE",
            "name": "T-shirt",
            "variants": [
                {"sku": "TEE-M", "price": "19.90", "options": {"size": "M"}},
                {"sku": "TEE-XL", "price": "21.90", "options": {"size": "XL"}},
            ],
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["price"], body["price_max"]) == ("19.90", "21.90")
    assert [(v["sku"], v["options"]) for v in body["variants"]] == [
        ("TEE-M", {"size": "M"}),
        ("TEE-XL", {"size": "XL"}),
    ]
    assert len(catalog_events("catalog.product.created.v1")) == 2


def test_a_product_needs_a_price_or_variants_and_not_both(staff_client):
    missing = staff_client.post(URL, {"sku": "A", "name": "A"}, format="json")
    both = staff_client.post(
        URL,
        {
            "sku": "B",
            "name": "B",
            "price": "1",
            "variants": [{"sku": "B-1", "price": "1"}],
        },
        format="json",
    )

    assert missing.status_code == both.status_code == 400
    assert missing.json()["errors"] == {"price": ["This field is required."]}
    assert both.json()["errors"] == {"price": ["Give each variant its price instead."]}
    assert not Product.objects.exists()


def test_staff_adds_and_changes_a_variant(staff_client, make_product):
    lamp = make_product(sku="LAMP", name="Lamp", price="10.00")
    url = f"{URL}{lamp.pk}/variants/"

    # The single variant gets its option first, then a second one can follow.
    refused = staff_client.post(
        url,
        {"sku": "LAMP-B", "price": "12", "options": {"colour": "blue"}},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "options": ["Every variant of a product has the same options."]
    }
    patched = staff_client.patch(
        f"{url}{lamp.pk}/", {"options": {"colour": "white"}}, format="json"
    )
    assert patched.status_code == 200
    created = staff_client.post(
        url,
        {"sku": "LAMP-B", "price": "12.00", "options": {"colour": "blue"}},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["options"] == {"colour": "blue"}
    listed = staff_client.get(url).json()
    assert [(v["sku"], v["options"]["colour"]) for v in listed] == [
        ("LAMP", "white"),
        ("LAMP-B", "blue"),
    ]
    lamp.refresh_from_db()
    assert (lamp.price, lamp.price_max) == (Decimal("10.00"), Decimal("12.00"))


def test_non_staff_cannot_write_variants(customer_client, api_client, make_shirt):
    shirt = make_shirt()
    m = variant_ids(shirt)["TEE-M"]
    url = f"{URL}{shirt.pk}/variants/"
    body = {"sku": "X-1", "price": "1", "options": {"size": "S"}}

    assert customer_client.post(url, body, format="json").status_code == 403
    assert api_client.post(url, body, format="json").status_code == 401
    assert (
        customer_client.patch(f"{url}{m}/", {"price": "1"}, format="json").status_code
        == 403
    )
    assert Variant.objects.get(pk=m).price == Decimal("19.90")
    assert Variant.objects.count() == 3


def test_a_variant_of_another_product_is_404(staff_client, make_shirt, make_product):
    shirt = make_shirt()
    lamp = make_product()

    response = staff_client.patch(
        f"{URL}{lamp.pk}/variants/{variant_ids(shirt)['TEE-M']}/",
        {"price": "1"},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "variant_not_found"
    assert len(catalog_events("catalog.product.price_changed.v1")) == 0


def test_option_filter_needs_name_and_value(api_client, make_shirt):
    make_shirt()

    assert api_client.get(URL, {"option": "size"}).status_code == 400
    assert api_client.get(URL, {"option": "size"}).json()["errors"] == {
        "option": ["Use name:value, e.g. size:M."]
    }
    found = api_client.get(URL, {"option": ["size:xl"]}).json()["results"]
    assert [p["sku"] for p in found] == ["TEE"]
    assert api_client.get(URL, {"option": "size:S"}).json()["results"] == []
