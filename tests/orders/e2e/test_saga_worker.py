"""The saga through a real Celery worker on PostgreSQL and Redis (services mode)."""

import uuid
from decimal import Decimal

import pytest

from apps.catalog.contracts import ProductSnapshot
from apps.catalog.events import ProductCreated
from apps.common.db import atomic_for
from apps.eventbus.api import publish
from tests.orders.helpers import ADDRESS

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def stocked_product(catalog, staff_client, wait_until, *, stock: int) -> str:
    snapshot = ProductSnapshot(
        id=uuid.uuid4(),
        sku=f"W-{uuid.uuid4().hex[:8]}",
        name="Worker widget",
        unit_price=Decimal("7.00"),
        currency="EUR",
        is_active=True,
    )
    catalog[snapshot.id] = snapshot
    with atomic_for("catalog"):
        publish(
            ProductCreated(
                product_id=snapshot.id,
                sku=snapshot.sku,
                name=snapshot.name,
                price=snapshot.unit_price,
                currency="EUR",
            )
        )

    def adjust():  # 404 until the worker has made the stock item
        return staff_client.post(
            f"/api/v1/inventory/stock/{snapshot.id}/adjustments/",
            {"delta": stock, "reason": "initial"},
            format="json",
        ).status_code in (200, 201)

    assert wait_until(adjust, timeout=20)
    return str(snapshot.id)


def test_place_confirm_pay_ship_deliver_through_the_worker(
    celery_worker, catalog, customer_client, staff_client, wait_until
):
    product = stocked_product(catalog, staff_client, wait_until, stock=3)

    def order_status(order_id):
        return customer_client.get(f"/api/v1/orders/{order_id}/").json()["status"]

    def stock():
        data = staff_client.get(f"/api/v1/inventory/stock/{product}/").json()
        return data["on_hand"], data["reserved"]

    placed = customer_client.post(
        "/api/v1/orders/",
        {
            "items": [{"product_id": product, "quantity": 2}],
            "shipping_address": ADDRESS,
        },
        format="json",
    )
    assert placed.status_code == 201
    order_id = placed.json()["id"]
    assert wait_until(lambda: order_status(order_id) == "confirmed", timeout=20)

    paid = customer_client.post(
        f"/api/v1/orders/{order_id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )
    assert paid.status_code == 200
    assert wait_until(lambda: stock() == (1, 0), timeout=20)
    assert wait_until(
        lambda: (
            customer_client.get("/api/v1/users/me/").json()["stats"]["order_count"] == 1
        ),
        timeout=20,
    )

    too_many = customer_client.post(
        "/api/v1/orders/",
        {
            "items": [{"product_id": product, "quantity": 2}],
            "shipping_address": ADDRESS,
        },
        format="json",
    ).json()["id"]
    assert wait_until(lambda: order_status(too_many) == "failed", timeout=20)
    assert stock() == (1, 0)

    for action, data in (
        ("ship", {"carrier": "DHL", "tracking_number": "W1"}),
        ("deliver", {}),
    ):
        response = staff_client.post(
            f"/api/v1/orders/{order_id}/{action}/", data, format="json"
        )
        assert response.status_code == 200
    assert order_status(order_id) == "delivered"
