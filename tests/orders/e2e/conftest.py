"""End-to-end with the real inventory (and users): stock through the
inventory's HTTP API as staff, the saga through the real handlers.

The catalog is not on main yet: products come from the fake
`product_snapshots` of tests/orders/conftest.py and are announced to the other
apps with the catalog's public `ProductCreated` event, exactly as the catalog
will publish it. Once the catalog lands, `make_product` should create the
product through its HTTP API instead.
"""

import itertools
import uuid
from decimal import Decimal

import pytest

from apps.catalog.contracts import ProductSnapshot
from apps.catalog.events import ProductCreated
from apps.common.db import atomic_for
from apps.eventbus.api import publish

_skus = itertools.count(1)


@pytest.fixture
def orders_only_consumers():
    """Every app consumes its events here: the whole saga runs."""


@pytest.fixture
def make_product(catalog, staff_client, deliver_events):
    def make(*, stock: int, price: str = "12.50") -> str:
        n = next(_skus)
        snapshot = ProductSnapshot(
            id=uuid.uuid4(),
            sku=f"E2E-{n}",
            name=f"Thing {n}",
            unit_price=Decimal(price),
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
                    currency=snapshot.currency,
                )
            )
        deliver_events()  # the inventory makes a stock item
        product_id = str(snapshot.id)
        if stock:
            adjusted = staff_client.post(
                f"/api/v1/inventory/stock/{product_id}/adjustments/",
                {"delta": stock, "reason": "initial stock"},
                format="json",
            )
            assert adjusted.status_code in (200, 201), adjusted.json()
        deliver_events()
        return product_id

    return make


@pytest.fixture
def stock_of(staff_client):
    def stock(product_id: str) -> tuple[int, int]:
        data = staff_client.get(f"/api/v1/inventory/stock/{product_id}/").json()
        return data["on_hand"], data["reserved"]

    return stock
