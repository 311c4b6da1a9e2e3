"""End-to-end with every app for real: products through the catalog's HTTP
API, stock through the inventory's HTTP API (both as staff), the saga through
the real handlers — in-process (`deliver_events`) or through a real Celery
worker (services mode, the `celery_worker` fixture)."""

import itertools
import threading
import time

import pytest
from django.conf import settings
from django.db import connections

from tests.conftest import client_for, make_user
from tests.orders.helpers import ADDRESS

# Every test here: the saga through the real catalog and inventory.
EVERY_APP = pytest.mark.needs_apps(
    "catalog", "inventory", "orders", reason="the saga through the real apps"
)
_skus = itertools.count(1)
WORKER_WAIT_SECONDS = 30


@pytest.fixture
def orders_only_consumers():
    """Every app consumes its events here: the whole saga runs."""


@pytest.fixture
def settle(deliver_events, wait_until):
    """`settle(predicate)`: deliver the events in-process, or wait for the
    worker when one is running, until `predicate()` holds; returns its value."""

    def run(predicate):
        if settings.EVENTS_DELIVERY == "celery":
            return wait_until(predicate, timeout=WORKER_WAIT_SECONDS, interval=0.1)
        deliver_events()
        return predicate()

    return run


@pytest.fixture
def make_product(staff_client, settle):
    """A product created by staff through the catalog's API, with `stock`
    units added through the inventory's API; returns its id."""

    def make(*, stock: int, price: str = "12.50") -> str:
        n = next(_skus)
        created = staff_client.post(
            "/api/v1/catalog/products/",
            {
                "sku": f"E2E-{n}-{time.monotonic_ns()}",
                "name": f"Thing {n}",
                "price": price,
            },
            format="json",
        )
        assert created.status_code == 201, created.json()
        product_id = created.json()["id"]

        def stock_item_exists():  # made by the inventory from ProductCreated
            url = f"/api/v1/inventory/stock/{product_id}/"
            return staff_client.get(url).status_code == 200

        assert settle(stock_item_exists)
        if stock:
            adjusted = staff_client.post(
                f"/api/v1/inventory/stock/{product_id}/adjustments/",
                {"delta": stock, "reason": "initial stock"},
                format="json",
            )
            assert adjusted.status_code in (200, 201), adjusted.json()
        settle(lambda: True)
        return product_id

    return make


@pytest.fixture
def stock_of(staff_client):
    def stock(product_id: str) -> tuple[int, int]:
        data = staff_client.get(f"/api/v1/inventory/stock/{product_id}/").json()
        return data["on_hand"], data["reserved"]

    return stock


@pytest.fixture
def checkout_rush():
    """`checkout_rush(product_id, customers=12, orders_each=5)`: every customer
    in its own thread (own connection) places its orders of one unit at the
    same moment; returns the HTTP status of every answer."""

    def rush(product_id: str, *, customers: int = 12, orders_each: int = 5):
        users = [make_user(email=f"buyer{i}@example.com") for i in range(customers)]
        barrier = threading.Barrier(customers, timeout=30)
        statuses: list[int] = []

        def shopper(user):
            client = client_for(user)
            try:
                barrier.wait()
                for _ in range(orders_each):
                    response = client.post(
                        "/api/v1/orders/",
                        {
                            "items": [{"product_id": product_id, "quantity": 1}],
                            "shipping_address": ADDRESS,
                        },
                        format="json",
                    )
                    statuses.append(response.status_code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=shopper, args=(u,)) for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return statuses

    return rush
