from decimal import Decimal

import pytest

from apps.catalog import services
from apps.catalog.models import Product
from tests.catalog.conftest import catalog_events, catalog_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/products/"


def skus(response) -> list[str]:
    return [p["sku"] for p in response.json()["results"]]


def test_anonymous_listing_shows_active_products_newest_first(
    api_client, make_product, make_category
):
    audio = make_category("Audio")
    first = make_product(sku="A-1", name="Amp", price="99.50", category=audio)
    make_product(sku="A-2", name="Cable", price="5.00")
    hidden = make_product(sku="A-3")
    services.product_deactivate(product_id=hidden.pk)

    response = api_client.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["next"], body["previous"]) == (None, None)
    assert skus(response) == ["A-2", "A-1"]
    amp = body["results"][1]
    assert {k: v for k, v in amp.items() if k not in ("created_at", "updated_at")} == {
        "id": str(first.pk),
        "sku": "A-1",
        "slug": "amp-a-1",
        "name": "Amp",
        "description": "",
        "price": "99.50",
        "price_max": "99.50",
        "currency": "EUR",
        "tax_class": "standard",
        "category": "audio",
        "is_active": True,
        "in_stock": False,
        "image": None,
    }


def test_inactive_product_is_404_for_everyone_but_staff(
    api_client, customer_client, staff_client, make_product
):
    product = make_product()
    services.product_deactivate(product_id=product.pk)
    url = f"{URL}{product.pk}/"

    assert api_client.get(url).status_code == 404
    assert customer_client.get(url).status_code == 404
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert skus(staff_client.get(URL)) == [product.sku]
    assert skus(staff_client.get(URL, {"is_active": "false"})) == [product.sku]
    assert skus(staff_client.get(URL, {"is_active": "true"})) == []
    assert skus(api_client.get(URL, {"is_active": "false"})) == []


def test_unknown_or_malformed_product_id_is_404(api_client):
    assert (
        api_client.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    )
    assert api_client.get(f"{URL}not-a-uuid/").status_code == 404


def test_search_matches_name_sku_and_description(api_client, make_product):
    make_product(sku="KB-1", name="Keyboard")
    make_product(sku="MS-1", name="Mouse", description="Pairs with any keyboard")
    make_product(sku="KBX-9", name="Lamp")
    make_product(sku="ZZ-1", name="Desk")

    response = api_client.get(URL, {"search": "kb", "ordering": "name"})
    assert skus(response) == ["KB-1", "KBX-9"]
    response = api_client.get(URL, {"search": "KEYBOARD", "ordering": "name"})
    assert skus(response) == ["KB-1", "MS-1"]


def test_category_filter_includes_descendants(api_client, make_category, make_product):
    electronics = make_category("Electronics")
    audio = make_category("Audio", parent=electronics)
    headphones = make_category("Headphones", parent=audio)
    books = make_category("Books")
    make_product(sku="E", category=electronics)
    make_product(sku="A", category=audio)
    make_product(sku="H", category=headphones)
    make_product(sku="B", category=books)
    make_product(sku="N")

    def listed(slug):
        return sorted(skus(api_client.get(URL, {"category": slug})))

    assert listed("electronics") == ["A", "E", "H"]
    assert listed("audio") == ["A", "H"]
    assert listed("books") == ["B"]
    assert listed("unknown") == []


def test_price_range_in_stock_and_orderings(api_client, make_product):
    cheap = make_product(sku="C", name="Cheap", price="1.00")
    make_product(sku="M", name="Middle", price="10.00")
    make_product(sku="E", name="Expensive", price="100.00")
    services.product_availability_apply(product_id=cheap.pk, in_stock=True, version=1)

    assert skus(api_client.get(URL, {"min_price": "5", "max_price": "10.00"})) == ["M"]
    assert skus(api_client.get(URL, {"in_stock": "true"})) == ["C"]
    assert skus(api_client.get(URL, {"in_stock": "false", "ordering": "price"})) == [
        "M",
        "E",
    ]
    assert skus(api_client.get(URL, {"ordering": "price"})) == ["C", "M", "E"]
    assert skus(api_client.get(URL, {"ordering": "-price"})) == ["E", "M", "C"]
    assert skus(api_client.get(URL, {"ordering": "name"})) == ["C", "E", "M"]
    assert skus(api_client.get(URL, {"ordering": "-created_at"})) == ["E", "M", "C"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"min_price": "abc"}, "min_price"),
        ({"max_price": "1e"}, "max_price"),
        ({"ordering": "sku"}, "ordering"),
        ({"in_stock": "maybe"}, "in_stock"),
    ],
)
def test_bad_filter_is_a_field_level_400(api_client, params, field):
    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]


def test_page_size_is_capped_at_100_and_pages_link(api_client, make_product):
    for n in range(105):
        make_product(sku=f"P-{n:03d}", price=str(n))

    first = api_client.get(URL, {"page_size": 500, "ordering": "price"}).json()
    second = api_client.get(
        URL, {"page_size": 500, "ordering": "price", "page": 2}
    ).json()

    assert len(first["results"]) == 100
    assert first["next"] == (
        "http://testserver/api/v1/catalog/products/?ordering=price&page=2&page_size=500"
    )
    assert first["previous"] is None
    assert [p["sku"] for p in second["results"]] == [
        f"P-{n:03d}" for n in range(100, 105)
    ]
    assert second["next"] is None
    assert second["previous"] == (
        "http://testserver/api/v1/catalog/products/?ordering=price&page_size=500"
    )
    assert api_client.get(URL, {"page": 3, "page_size": 100}).status_code == 404
    assert api_client.get(URL, {"page": "x"}).status_code == 400
    assert api_client.get(URL, {"page": 10**30}).status_code == 400
    assert api_client.get(URL, {"page": 0}).status_code == 400


def test_listing_query_count_does_not_grow_with_page_size(
    api_client, make_product, make_category
):
    audio = make_category("Audio")
    for n in range(100):
        make_product(sku=f"Q-{n:03d}", category=audio)

    counts = {}
    for size in (20, 100):
        for params in (
            {},
            {"category": "audio"},
            {"min_price": "1", "ordering": "price"},
        ):
            with catalog_queries() as queries:
                response = api_client.get(URL, {"page_size": size, **params})
            assert response.status_code == 200
            assert not any(
                "COUNT(" in q["sql"].upper() for q in queries.captured_queries
            )
            counts[size, tuple(params)] = len(queries)

    # The page itself; the category filter reads the category tree first.
    assert counts == {
        (20, ()): 1,
        (20, ("category",)): 2,
        (20, ("min_price", "ordering")): 1,
        (100, ()): 1,
        (100, ("category",)): 2,
        (100, ("min_price", "ordering")): 1,
    }


def test_staff_creates_a_product(staff_client, make_category):
    make_category("Audio")

    response = staff_client.post(
        URL,
        {"sku": "NEW-1", "name": "Speaker", "price": "49.90", "category": "audio"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["sku"], body["price"], body["category"], body["currency"]) == (
        "NEW-1",
        "49.90",
        "audio",
        "EUR",
    )
    assert [e["event_type"] for e in catalog_events()] == ["catalog.product.created.v1"]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"price": "-1.00"},
            {"price": ["Ensure this value is greater than or equal to 0."]},
        ),
        ({"price": "12.3.4"}, {"price": ["A valid number is required."]}),
        (
            {"price": "1.999"},
            {"price": ["Ensure that there are no more than 2 decimal places."]},
        ),
        ({"sku": "dup-1"}, {"sku": ["A product with this SKU already exists."]}),
        ({"category": "nope"}, {"category": ["Object with slug=nope does not exist."]}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"tax_class": "zero"}, {"tax_class": ['"zero" is not a valid choice.']}),
    ],
)
def test_bad_product_input_is_a_field_level_400_and_stores_nothing(
    staff_client, make_product, payload, errors
):
    make_product(sku="DUP-1")
    body = {"sku": "NEW-2", "name": "Thing", "price": "1.00", **payload}

    response = staff_client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == errors
    assert list(Product.objects.values_list("sku", flat=True)) == ["DUP-1"]
    assert len(catalog_events()) == 1


def test_non_staff_cannot_write(customer_client, api_client, make_product):
    product = make_product(price="5.00")

    assert customer_client.post(URL, {}, format="json").status_code == 403
    assert api_client.post(URL, {}, format="json").status_code == 401
    url = f"{URL}{product.pk}/"
    assert customer_client.patch(url, {"price": "1"}, format="json").status_code == 403
    assert customer_client.delete(url).status_code == 403
    product.refresh_from_db()
    assert (product.price, product.is_active) == (Decimal("5.00"), True)


def test_staff_sets_a_products_tax_class(staff_client, api_client):
    created = staff_client.post(
        URL,
        {"sku": "BK-1", "name": "Book", "price": "9.00", "tax_class": "reduced"},
        format="json",
    )
    url = f"{URL}{created.json()['id']}/"

    assert created.status_code == 201
    assert api_client.get(url).json()["tax_class"] == "reduced"
    changed = staff_client.patch(url, {"tax_class": "standard"}, format="json")
    assert changed.status_code == 200
    assert Product.objects.get(sku="BK-1").tax_class == "standard"


def test_staff_patch_changes_price_and_publishes(staff_client, make_product):
    product = make_product(sku="P-1", price="5.00")

    response = staff_client.patch(
        f"{URL}{product.pk}/", {"price": "6.50", "name": "New"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["price"], response.json()["name"]) == ("6.50", "New")
    assert catalog_events()[-1] == {
        "event_type": "catalog.product.price_changed.v1",
        "product_id": str(product.pk),
        "old_price": "5.00",
        "new_price": "6.50",
        "currency": "EUR",
    }


def test_staff_delete_deactivates_with_204(staff_client, api_client, make_product):
    product = make_product()
    url = f"{URL}{product.pk}/"

    assert staff_client.delete(url).status_code == 204
    assert staff_client.delete(url).status_code == 204

    assert Product.objects.get(pk=product.pk).is_active is False
    assert api_client.get(url).status_code == 404
    assert [e["event_type"] for e in catalog_events()] == [
        "catalog.product.created.v1",
        "catalog.product.deactivated.v1",
    ]
    missing = f"{URL}00000000-0000-0000-0000-000000000000/"
    assert staff_client.delete(missing).status_code == 404


@pytest.mark.parametrize(("currency", "status"), [("EUR", 201), ("USD", 400)])
def test_a_currency_other_than_the_shops_is_refused_not_dropped(
    staff_client, currency, status
):
    body = {"sku": "CUR-1", "name": "Priced", "price": "5.00", "currency": currency}

    response = staff_client.post(URL, body, format="json")

    assert response.status_code == status
    if status == 400:
        assert "EUR" in response.json()["errors"]["currency"][0]
    else:
        assert response.json()["currency"] == "EUR"
