"""The whole saga in-process (embedded): catalog, inventory and orders together."""

import pytest

from config.celery import app as celery_app
from tests.orders.e2e.conftest import EVERY_APP
from tests.orders.helpers import ADDRESS

pytestmark = [pytest.mark.django_db, EVERY_APP]


def place(client, product_id, quantity):
    return client.post(
        "/api/v1/orders/",
        {
            "items": [{"product_id": product_id, "quantity": quantity}],
            "shipping_address": ADDRESS,
        },
        format="json",
    )


def status_of(client, order_id):
    return client.get(f"/api/v1/orders/{order_id}/").json()["status"]


def act(client, order_id, action, data=None):
    response = client.post(
        f"/api/v1/orders/{order_id}/{action}/", data or {}, format="json"
    )
    assert response.status_code == 200, response.json()
    return response.json()


def test_place_confirm_pay_ship_deliver(
    make_product, stock_of, customer_client, staff_client, deliver_events
):
    product = make_product(stock=5, price="12.50")

    placed = place(customer_client, product, 2)
    deliver_events()

    assert placed.status_code == 201
    assert placed.json()["total"] == "25.00"
    order_id = placed.json()["id"]
    assert status_of(customer_client, order_id) == "confirmed"
    assert stock_of(product) == (5, 2)

    assert (
        act(customer_client, order_id, "pay", {"payment_token": "tok_success"})[
            "status"
        ]
        == "paid"
    )
    deliver_events()
    assert stock_of(product) == (3, 0)  # sold: out of stock for good
    stats = customer_client.get("/api/v1/users/me/").json()["stats"]
    assert stats == {
        "order_count": 1,
        "lifetime_spend": [{"currency": "EUR", "amount": "25.00"}],
    }

    act(staff_client, order_id, "ship", {"carrier": "DHL", "tracking_number": "T1"})
    assert act(staff_client, order_id, "deliver")["status"] == "delivered"
    deliver_events()
    assert stock_of(product) == (3, 0)


def test_insufficient_stock_fails_with_nothing_reserved(
    make_product, stock_of, customer_client, deliver_events
):
    product = make_product(stock=1)

    order_id = place(customer_client, product, 2).json()["id"]
    deliver_events()

    order = customer_client.get(f"/api/v1/orders/{order_id}/").json()
    assert order["status"] == "failed"
    assert "requested 2)" in order["status_reason"]  # the stock level stays hidden
    assert stock_of(product) == (1, 0)


def test_cancel_releases_the_reservation(
    make_product, stock_of, customer_client, deliver_events
):
    product = make_product(stock=4)
    order_id = place(customer_client, product, 3).json()["id"]
    deliver_events()
    assert stock_of(product) == (4, 3)

    act(customer_client, order_id, "cancel")
    deliver_events()

    assert status_of(customer_client, order_id) == "cancelled"
    assert stock_of(product) == (4, 0)


@pytest.mark.django_db(transaction=True)  # the task closes its connections
def test_expiry_cancels_an_unpaid_order(
    make_product, stock_of, customer_client, deliver_events, settings
):
    settings.RESERVATION_TIMEOUT_MINUTES = 0
    product = make_product(stock=4)
    order_id = place(customer_client, product, 1).json()["id"]
    deliver_events()
    assert status_of(customer_client, order_id) == "confirmed"

    celery_app.loader.import_default_modules()  # autodiscovers every tasks.py
    expired = celery_app.tasks["inventory.expire_reservations"]()
    deliver_events()

    assert expired == 1
    order = customer_client.get(f"/api/v1/orders/{order_id}/").json()
    assert (order["status"], order["status_reason"]) == (
        "cancelled",
        "reservation_expired",
    )
    assert stock_of(product) == (4, 0)
    paid = customer_client.post(
        f"/api/v1/orders/{order_id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )
    assert paid.status_code == 409


def test_refund_returns_the_stock(
    make_product, stock_of, customer_client, staff_client, deliver_events
):
    product = make_product(stock=5)
    order_id = place(customer_client, product, 2).json()["id"]
    deliver_events()
    act(customer_client, order_id, "pay", {"payment_token": "tok_success"})
    deliver_events()
    assert stock_of(product) == (3, 0)

    refunded = act(staff_client, order_id, "cancel")
    deliver_events()

    assert refunded["status"] == "refunded"
    assert stock_of(product) == (5, 0)


@pytest.mark.django_db(transaction=True)
def test_an_embedded_placement_answers_the_order_as_the_saga_left_it(
    make_product, customer_client
):
    # Real commits: in-process delivery runs the saga inside the placement's
    # commit, so the 201 already says whether stock was reserved.
    product = make_product(stock=5, price="12.50")

    placed = place(customer_client, product, 2)

    assert placed.status_code == 201
    assert placed.json()["status"] == "confirmed"
