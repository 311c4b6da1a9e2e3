"""The catalog's in-stock flag follows the real inventory, end to end: the
product is created here, inventory learns of it from ProductCreated, staff
adjust its stock through inventory's HTTP API, and the listing follows."""

import pytest

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.needs_apps(
        "catalog", "inventory", reason="the real inventory's API and events"
    ),
]
PRODUCTS = "/api/v1/catalog/products/"


def in_stock(api_client) -> list[str]:
    response = api_client.get(PRODUCTS, {"in_stock": "true"})
    return [p["sku"] for p in response.json()["results"]]


def test_stock_adjusted_in_inventory_shows_in_the_listing(
    api_client, staff_client, make_product, deliver_events
):
    product = make_product(sku="FLOW-1")
    deliver_events()  # inventory creates its stock item
    adjustments = f"/api/v1/inventory/stock/{product.pk}/adjustments/"

    added = staff_client.post(
        adjustments, {"delta": 3, "reason": "delivery"}, format="json"
    )
    deliver_events()
    assert added.status_code == 201, added.content
    assert in_stock(api_client) == ["FLOW-1"]

    removed = staff_client.post(
        adjustments, {"delta": -3, "reason": "count"}, format="json"
    )
    deliver_events()
    assert removed.status_code == 201, removed.content
    assert in_stock(api_client) == []
