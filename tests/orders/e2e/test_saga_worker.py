"""The saga through a real Celery worker on PostgreSQL and Redis (services mode):
products and stock through the catalog's and the inventory's HTTP APIs."""

import re

import pytest
from django.conf import settings

from apps.eventbus.models import OutboxEvent
from tests.conftest import WORKER_QUEUES, _wait_until_idle
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


def handled_in(worker) -> list[str]:
    """'<event type> for <consumer>' of every event the worker applied."""
    return re.findall(r"handled (\S+) \S+ for (\S+)", worker.log)


def place_and_settle(worker_logs, make_product, customer_client, wait_until):
    """Place one order once the product's own events are applied; returns the
    consume messages each worker received for the order and what it applied."""
    from config.celery import app

    product = make_product(stock=3)
    _wait_until_idle(app, WORKER_QUEUES)
    for worker in worker_logs:
        worker.mark_log()
    order_id = place(customer_client, product, 1).json()["id"]
    assert wait_until(
        lambda: any(
            ("orders.order.confirmed.v1", "users") in handled_in(w) for w in worker_logs
        ),
        timeout=30,
    )
    _wait_until_idle(app, WORKER_QUEUES)
    status = customer_client.get(f"/api/v1/orders/{order_id}/").json()["status"]
    assert status == "confirmed"
    for alias in settings.DATABASES:  # no row left for the relay
        assert not OutboxEvent.objects.using(alias).filter(sent_at__isnull=True)
    return [(w.log.count("] received"), handled_in(w)) for w in worker_logs]


def test_a_worker_on_every_queue_takes_one_message_per_order(
    celery_worker, make_product, customer_client, wait_until
):
    (received, handled), *_ = place_and_settle(
        [celery_worker], make_product, customer_client, wait_until
    )

    assert received == 1  # the placement; the rest followed in that task
    assert handled == [
        ("orders.order.placed.v1", "inventory"),
        ("inventory.stock.reserved.v1", "orders"),
        ("orders.order.confirmed.v1", "users"),
    ]


def test_a_queue_served_by_another_worker_gets_its_events_through_the_broker(
    start_celery_worker, make_product, customer_client, wait_until
):
    inventory = start_celery_worker(queues=("inventory",))
    the_rest = start_celery_worker(queues=("users", "catalog", "orders"))

    (inventory_received, inventory_handled), (rest_received, rest_handled) = (
        place_and_settle(
            [inventory, the_rest], make_product, customer_client, wait_until
        )
    )

    assert (inventory_received, inventory_handled) == (
        1,
        [("orders.order.placed.v1", "inventory")],
    )
    assert (rest_received, rest_handled) == (
        1,  # the reservation; the confirmation's e-mail followed in that task
        [
            ("inventory.stock.reserved.v1", "orders"),
            ("orders.order.confirmed.v1", "users"),
        ],
    )
