"""Fixtures of the orders tests.

Products come from the catalog's fake (tests/fakes/) and the saga is driven
by publishing inventory events (the inventory's public event classes) and
delivering them, so these tests pass with the orders app alone.
"""

from decimal import Decimal

import pytest
from django.core.cache import cache

from apps.catalog.contracts import ProductSnapshot
from apps.eventbus import registry
from apps.orders.models import Order
from tests.orders.helpers import (
    GADGET_ID,
    RETIRED_ID,
    WIDGET_ID,
    inventory_says,
    place,
    reserved,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The test gateway, the circuit breaker and throttles keep state in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_gateway_retries(settings):
    settings.ORDERS_GATEWAY_BACKOFF_SECONDS = 0


@pytest.fixture
def catalog(fake_catalog):
    """The catalog's products as its fake answers them (tests/fakes/): id ->
    ProductSnapshot, editable by the test."""
    for product in (
        ProductSnapshot(
            id=WIDGET_ID,
            sku="WID-1",
            name="Widget",
            unit_price=Decimal("19.99"),
            currency="EUR",
            is_active=True,
        ),
        ProductSnapshot(
            id=GADGET_ID,
            sku="GAD-1",
            name="Gadget",
            unit_price=Decimal("5.50"),
            currency="EUR",
            is_active=True,
        ),
        ProductSnapshot(
            id=RETIRED_ID,
            sku="OLD-1",
            name="Retired",
            unit_price=Decimal("1.00"),
            currency="EUR",
            is_active=False,
        ),
    ):
        fake_catalog.product_add(product)
    return fake_catalog.products


@pytest.fixture(autouse=True)
def orders_only_consumers(monkeypatch, settings):
    """Only the orders app (and the fakes of apps not hosted) consumes events in
    these unit tests, so other apps' handlers (and their missing data) cannot
    move the orders under test."""
    only_orders = {
        event_type: {
            c: h
            for c, h in consumers.items()
            if c == "orders" or c not in settings.DOMAIN_APPS
        }
        for event_type, consumers in registry._handlers.items()
    }
    monkeypatch.setattr(registry, "_handlers", only_orders)


@pytest.fixture
def placed_order(customer_client, catalog):
    response = place(customer_client)
    assert response.status_code == 201, response.json()
    return Order.objects.get(pk=response.json()["id"])


@pytest.fixture
def confirmed_order(placed_order, deliver_events):
    inventory_says(reserved(placed_order.id))
    deliver_events()
    placed_order.refresh_from_db()
    assert placed_order.status == "confirmed"
    return placed_order


@pytest.fixture
def paid_order(confirmed_order, customer_client, deliver_events):
    response = customer_client.post(
        f"/api/v1/orders/{confirmed_order.id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    deliver_events()
    confirmed_order.refresh_from_db()
    return confirmed_order
