"""A customer exports and erases their account with every app for real: the
export gathers the orders app's data, and the erasure reaches the orders
database (its own in per-app mode) in-process and through a real worker."""

import pytest

from tests.conftest import PASSWORD
from tests.orders.e2e.conftest import EVERY_APP
from tests.orders.helpers import ADDRESS, ERASED_ADDRESS

USERS_TOO = pytest.mark.needs_apps("users", reason="the users app erases")


def delivered_order(customer_client, staff_client, product, settle) -> str:
    placed = customer_client.post(
        "/api/v1/orders/",
        {
            "items": [{"product_id": product, "quantity": 1}],
            "shipping_address": ADDRESS,
        },
        format="json",
    )
    order_id = placed.json()["id"]
    url = f"/api/v1/orders/{order_id}/"
    assert settle(lambda: customer_client.get(url).json()["status"] == "confirmed")
    paid = customer_client.post(
        f"{url}pay/", {"payment_token": "tok_success"}, format="json"
    )
    assert paid.status_code == 200
    for action, data in (
        ("ship", {"carrier": "DHL", "tracking_number": "W1"}),
        ("deliver", {}),
    ):
        done = staff_client.post(f"{url}{action}/", data, format="json")
        assert done.status_code == 200, done.json()
    settle(lambda: True)
    return order_id


def export_then_erase(customer_client, staff_client, make_product, settle):
    order_id = delivered_order(
        customer_client, staff_client, make_product(stock=2, price="7.00"), settle
    )

    document = customer_client.get("/api/v1/users/me/export/").json()
    erased = customer_client.post(
        "/api/v1/users/me/erase/", {"password": PASSWORD}, format="json"
    )

    assert [o["id"] for o in document["orders"]] == [order_id]
    assert document["addresses"] == [{"line2": "", **ADDRESS}]
    assert [(p["amount"], p["status"]) for p in document["payments"]] == [
        ("7.00", "captured")
    ]
    assert erased.status_code == 204
    assert customer_client.get("/api/v1/users/me/").status_code == 401

    def address_erased():
        order = staff_client.get(f"/api/v1/orders/{order_id}/").json()
        return order["shipping_address"]["name"] == "" and order

    order = settle(address_erased)
    assert order["shipping_address"] == ERASED_ADDRESS
    assert (order["status"], order["total"]) == ("delivered", "7.00")


@EVERY_APP
@USERS_TOO
@pytest.mark.django_db
def test_export_and_erasure_in_process(
    customer_client, staff_client, make_product, settle
):
    export_then_erase(customer_client, staff_client, make_product, settle)


@EVERY_APP
@USERS_TOO
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_export_and_erasure_through_the_worker(
    celery_worker, customer_client, staff_client, make_product, settle
):
    export_then_erase(customer_client, staff_client, make_product, settle)

    assert "Traceback" not in celery_worker.log
