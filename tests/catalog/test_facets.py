"""Facet counts beside the listing's results (`facets=1`)."""

import pytest

from apps.catalog import services
from tests.catalog.conftest import availability_changed, catalog_queries, variant_ids

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/products/"


@pytest.fixture
def shop(make_category, make_product, make_shirt, deliver_events):
    clothing = make_category("Clothing")
    shirt = make_shirt(category=clothing)  # 19.90-24.90, sizes M L XL
    services.product_create(
        sku="HOOD",
        name="Hoodie",
        category=clothing,
        variants=[
            {"sku": "HOOD-M", "price": "59.00", "options": {"size": "M"}},
            {"sku": "HOOD-S", "price": "55.00", "options": {"size": "S"}},
        ],
    )
    make_product(sku="LAMP", name="Lamp", price="120.00")
    make_product(sku="MUG", name="Mug", price="8.00", category=clothing)
    availability_changed(variant_ids(shirt)["TEE-XL"], in_stock=True, version=1)
    deliver_events()


def test_facets_count_the_whole_filtered_result(api_client, shop):
    with catalog_queries() as queries:
        response = api_client.get(URL, {"facets": "1", "page_size": 1})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert len(queries) == 4  # the page, then totals, categories, options
    assert response.json()["facets"] == {
        "category": [
            {"value": "clothing", "count": 3},
            {"value": None, "count": 1},
        ],
        "price": [
            {"min": "0", "max": "25", "count": 2},
            {"min": "25", "max": "50", "count": 0},
            {"min": "50", "max": "100", "count": 1},
            {"min": "100", "max": "250", "count": 1},
            {"min": "250", "max": "500", "count": 0},
            {"min": "500", "max": None, "count": 0},
        ],
        "option": [
            {"name": "size", "value": "L", "count": 1},
            {"name": "size", "value": "M", "count": 2},
            {"name": "size", "value": "S", "count": 1},
            {"name": "size", "value": "XL", "count": 1},
        ],
        "in_stock": [{"value": True, "count": 1}, {"value": False, "count": 3}],
    }


def test_facets_follow_the_query_and_filters(api_client, shop):
    facets = api_client.get(
        URL, {"facets": "true", "category": "clothing", "option": "size:M"}
    ).json()["facets"]

    assert facets["category"] == [{"value": "clothing", "count": 2}]
    assert [b["count"] for b in facets["price"]] == [1, 0, 1, 0, 0, 0]
    assert facets["option"] == [
        {"name": "size", "value": "L", "count": 1},
        {"name": "size", "value": "M", "count": 2},
        {"name": "size", "value": "S", "count": 1},
        {"name": "size", "value": "XL", "count": 1},
    ]
    searched = api_client.get(URL, {"facets": "1", "q": "lamp"}).json()["facets"]
    assert searched["category"] == [{"value": None, "count": 1}]
    assert searched["option"] == []


def test_facets_only_when_asked_and_a_bad_flag_is_a_400(api_client, shop):
    assert "facets" not in api_client.get(URL).json()
    assert "facets" not in api_client.get(URL, {"facets": "0"}).json()
    response = api_client.get(URL, {"facets": "yes"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"facets": ["Use 1 or 0."]}
