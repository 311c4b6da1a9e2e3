"""The saga through a real Celery worker on PostgreSQL and Redis (services mode):
products and stock through the catalog's and the inventory's HTTP APIs."""

import pytest

from tests.orders.e2e.conftest import EVERY_APP
from tests.orders.e2e.test_concurrent_checkout import (
    assert_exactly_twenty_confirmed,
    status_counts,
)
from tests.orders.helpers import ADDRESS

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    EVERY_APP,
]


def place(client, product, quantity):
    return client.post(
        "/api/v1/orders/",
        {
            "items": [{"product_id": product, "quantity": quantity}],
            "shipping_address": ADDRESS,
        },
        format="json",
    )


def test_place_confirm_pay_ship_deliver_through_the_worker(
    celery_worker, make_product, stock_of, customer_client, staff_client, wait_until
):
    product = make_product(stock=3, price="7.00")

    def order_status(order_id):
        return customer_client.get(f"/api/v1/orders/{order_id}/").json()["status"]

    placed = place(customer_client, product, 2)
    assert placed.status_code == 201
    assert placed.json()["total"] == "14.00"
    order_id = placed.json()["id"]
    assert wait_until(lambda: order_status(order_id) == "confirmed", timeout=30)
    assert stock_of(product) == (3, 2)

    paid = customer_client.post(
        f"/api/v1/orders/{order_id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )
    assert paid.status_code == 200
    assert wait_until(lambda: stock_of(product) == (1, 0), timeout=30)
    assert wait_until(
        lambda: (
            customer_client.get("/api/v1/users/me/").json()["stats"]
            == {
                "order_count": 1,
                "lifetime_spend": [{"currency": "EUR", "amount": "14.00"}],
            }
        ),
        timeout=30,
    )

    too_many = place(customer_client, product, 2).json()["id"]
    assert wait_until(lambda: order_status(too_many) == "failed", timeout=30)
    assert stock_of(product) == (1, 0)

    for action, data in (
        ("ship", {"carrier": "DHL", "tracking_number": "W1"}),
        ("deliver", {}),
    ):
        response = staff_client.post(
            f"/api/v1/orders/{order_id}/{action}/", data, format="json"
        )
        assert response.status_code == 200
    assert order_status(order_id) == "delivered"


def test_sixty_orders_for_twenty_units_through_the_worker(
    celery_worker, make_product, stock_of, checkout_rush, wait_until
):
    product = make_product(stock=20)

    statuses = checkout_rush(product)
    wait_until(lambda: status_counts()["pending"] == 0, timeout=60)
    counts = status_counts()

    assert_exactly_twenty_confirmed(product, stock_of, statuses, counts)
    assert "Traceback" not in celery_worker.log
