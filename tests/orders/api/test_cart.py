"""Carts: guests by token, customers by login; live prices, flagged lines,
the merge at login, expiry."""

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.orders.models import Cart, CartLine
from apps.orders.services.cart import carts_expire
from apps.orders.tasks import expire_carts
from tests.orders.cart_helpers import CART, LINES, add, guest_cart
from tests.orders.helpers import GADGET_ID, RETIRED_ID, WIDGET_ID

pytestmark = pytest.mark.django_db


@pytest.fixture
def stock(fake_inventory):
    fake_inventory.stock_set(product_id=WIDGET_ID, on_hand=5)
    fake_inventory.stock_set(product_id=GADGET_ID, on_hand=0)
    return fake_inventory


WIDGET_PRICE_NOW = Decimal("25.00")


def test_a_guest_cart_shows_live_prices_stock_and_totals(api_client, catalog, stock):
    token = guest_cart(api_client)

    add(api_client, WIDGET_ID, 2)
    response = add(api_client, GADGET_ID, 1)

    assert len(token) >= 43
    assert Cart.objects.get().token_hash != token  # only its hash is kept
    assert response.status_code == 200, response.json()
    data = response.json()
    assert [
        (line["sku"], line["quantity"], line["line_total"], line["in_stock"])
        for line in data["lines"]
    ] == [("WID-1", 2, "39.98", True), ("GAD-1", 1, "5.50", False)]
    assert data["totals"]["subtotal"] == "45.48"
    assert data["totals"]["total"] == "45.48"
    assert data["blockers"] == []


def test_adding_a_product_again_adds_to_its_line(api_client, catalog, stock):
    guest_cart(api_client)

    add(api_client, WIDGET_ID, 2)
    data = add(api_client, WIDGET_ID, 3).json()

    assert [(line["quantity"], line["line_total"]) for line in data["lines"]] == [
        (5, "99.95")
    ]


def test_a_price_change_shows_on_the_next_read(api_client, catalog, stock):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 1)

    catalog[WIDGET_ID] = replace(catalog[WIDGET_ID], unit_price=WIDGET_PRICE_NOW)
    data = api_client.get(CART).json()

    assert data["lines"][0]["unit_price"] == "25.00"
    assert data["totals"]["total"] == "25.00"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        (
            lambda catalog: catalog.update(
                {WIDGET_ID: replace(catalog[WIDGET_ID], is_active=False)}
            ),
            "product_inactive",
        ),
        (lambda catalog: catalog.pop(WIDGET_ID), "product_unknown"),
    ],
)
def test_a_line_whose_product_went_away_stays_flagged(
    api_client, catalog, stock, change, status
):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 2)
    add(api_client, GADGET_ID, 1)

    change(catalog)
    data = api_client.get(CART).json()

    assert [(line["product_id"], line["status"]) for line in data["lines"]] == [
        (str(WIDGET_ID), status),
        (str(GADGET_ID), "ok"),
    ]
    assert data["lines"][0]["line_total"] is None
    assert data["totals"]["subtotal"] == "5.50"  # only what can be bought
    assert data["blockers"] == [status]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product_id": str(WIDGET_ID), "quantity": 0}, "quantity"),
        ({"product_id": str(WIDGET_ID), "quantity": -2}, "quantity"),
        ({"product_id": str(WIDGET_ID), "quantity": 1001}, "quantity"),
        ({"product_id": str(uuid.uuid4()), "quantity": 1}, "product_id"),
        ({"product_id": str(RETIRED_ID), "quantity": 1}, "product_id"),
        ({"product_id": "not-a-uuid", "quantity": 1}, "product_id"),
    ],
)
def test_bad_lines_are_400_naming_the_field_and_change_nothing(
    api_client, catalog, stock, body, field
):
    guest_cart(api_client)
    add(api_client, GADGET_ID, 1)

    response = api_client.post(LINES, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]
    assert list(CartLine.objects.values_list("product_id", "quantity")) == [
        (GADGET_ID, 1)
    ]


def test_more_than_the_most_of_one_product_is_refused(api_client, catalog, stock):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 999)

    response = add(api_client, WIDGET_ID, 2)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["quantity"]
    assert CartLine.objects.get().quantity == 999


def test_change_and_remove_a_line(api_client, catalog, stock):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 2)
    add(api_client, GADGET_ID, 1)

    changed = api_client.patch(f"{LINES}{WIDGET_ID}/", {"quantity": 4}, format="json")
    removed = api_client.delete(f"{LINES}{GADGET_ID}/")
    missing = api_client.delete(f"{LINES}{GADGET_ID}/")
    not_there = api_client.patch(f"{LINES}{GADGET_ID}/", {"quantity": 1}, format="json")
    zero = api_client.patch(f"{LINES}{WIDGET_ID}/", {"quantity": 0}, format="json")

    assert changed.status_code == 200
    assert removed.status_code == 200
    assert [(line["sku"], line["quantity"]) for line in removed.json()["lines"]] == [
        ("WID-1", 4)
    ]
    assert missing.status_code == 404
    assert missing.json()["code"] == "cart_not_found"
    assert not_there.status_code == 404
    assert (
        missing.json()["detail"]
        == not_there.json()["detail"]
        == (f"Product {GADGET_ID} is not in the cart.")
    )
    assert zero.status_code == 400 and list(zero.json()["errors"]) == ["quantity"]
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [4]


def test_a_guest_without_or_with_a_wrong_token_has_no_cart(api_client, catalog):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 1)

    api_client.credentials()
    without = api_client.get(CART)
    api_client.credentials(HTTP_CART_TOKEN="x" * 43)
    wrong = api_client.get(CART)

    assert without.status_code == 400
    assert list(without.json()["errors"]) == ["Cart-Token"]
    assert wrong.status_code == 404
    assert wrong.json()["detail"] == (
        "No cart for this Cart-Token (it may have expired)."
    )


def test_a_customer_has_one_cart(customer_client, catalog, stock):
    add(customer_client, WIDGET_ID, 1)
    add(customer_client, WIDGET_ID, 1)

    data = customer_client.get(CART).json()

    assert Cart.objects.count() == 1
    assert [line["quantity"] for line in data["lines"]] == [2]


def test_the_guest_cart_merges_into_the_customers_at_login(
    api_client, customer_client, customer, catalog, stock
):
    token = guest_cart(api_client)
    add(api_client, WIDGET_ID, 600)
    add(api_client, GADGET_ID, 1)
    add(customer_client, WIDGET_ID, 500)

    customer_client.credentials(
        HTTP_AUTHORIZATION=customer_client._credentials["HTTP_AUTHORIZATION"],
        HTTP_CART_TOKEN=token,
    )
    data = customer_client.get(CART).json()

    # Quantities add up, capped at 1000 of one product.
    assert [(line["sku"], line["quantity"]) for line in data["lines"]] == [
        ("WID-1", 1000),
        ("GAD-1", 1),
    ]
    assert list(Cart.objects.values_list("user_id", flat=True)) == [customer.id]
    assert api_client.get(CART).status_code == 404  # the guest cart ended


def test_carts_untouched_for_the_ttl_expire(api_client, catalog, stock, settings):
    settings.CART_TTL_HOURS = 2
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 1)
    old = Cart.objects.create(token_hash="a" * 64)
    Cart.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=3)
    )

    assert expire_carts() == 1

    assert not Cart.objects.filter(pk=old.pk).exists()
    assert Cart.objects.count() == 1 and CartLine.objects.count() == 1
    assert carts_expire(now=timezone.now() + dt.timedelta(hours=3)) == 1
    assert Cart.objects.count() == 0


def test_cart_expiry_is_a_periodic_job_of_the_orders_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["orders-expire-carts"]
    assert entry["task"] == "orders.expire_carts"
    assert entry["options"] == {"queue": "orders"}


def test_a_cart_read_costs_the_same_whatever_its_lines(
    api_client, fake_catalog, fake_inventory, monkeypatch
):
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from apps.catalog.contracts import ProductSnapshot
    from apps.common.db import alias_for

    ids = [uuid.UUID(int=n) for n in range(1, 7)]
    for n, pid in enumerate(ids):
        fake_catalog.product_add(
            ProductSnapshot(
                id=pid,
                sku=f"P-{n}",
                name=f"P {n}",
                unit_price=Decimal("1.00"),
                currency="EUR",
                is_active=True,
                tax_class="standard",
            )
        )
    calls = []
    for fake, name in (
        (fake_catalog, "product_snapshots"),
        (fake_inventory, "stock_availability"),
    ):
        real = getattr(fake, name)
        monkeypatch.setattr(
            fake,
            name,
            lambda real=real, name=name, **kw: calls.append(name) or real(**kw),
        )
    guest_cart(api_client)
    add(api_client, ids[0])

    def cost():
        calls.clear()
        with CaptureQueriesContext(connections[alias_for("orders")]) as queries:
            assert api_client.get(CART).status_code == 200
        return len(queries), sorted(calls)

    one_line = cost()
    for pid in ids[1:]:
        add(api_client, pid)
    six_lines = cost()

    assert one_line == six_lines
    assert one_line[1] == ["product_snapshots", "stock_availability"]
