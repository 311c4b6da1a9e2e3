import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError

from apps.common.errors import ValidationFailed
from apps.orders.api.views import OrderPlaceThrottle
from apps.orders.models import Order, OrderLine
from apps.orders.services import placement
from tests.orders.helpers import (
    ADDRESS,
    GADGET_ID,
    RETIRED_ID,
    WIDGET_ID,
    body,
    outbox,
    outbox_fails,
    place,
)

pytestmark = pytest.mark.django_db
PLACED = "orders.order.placed.v1"


def test_place_prices_lines_from_the_catalog_and_merges_duplicates(
    customer, customer_client, catalog
):
    items = [
        {"product_id": str(WIDGET_ID), "quantity": 2, "unit_price": "0.01"},
        {"product_id": str(GADGET_ID), "quantity": 1},
        {"product_id": str(WIDGET_ID), "quantity": 1},
    ]

    response = place(
        customer_client,
        items,
        total="0.00",
        status="delivered",
        user_id=str(uuid.uuid4()),
    )

    assert response.status_code == 201
    data = response.json()
    assert response["Location"] == f"/api/v1/orders/{data['id']}/"
    assert data["status"] == "pending"
    assert data["user_id"] == str(customer.id)
    assert data["currency"] == "EUR"
    assert data["total"] == "65.47"  # 3 x 19.99 + 1 x 5.50
    assert data["item_count"] == 4
    assert data["lines"] == [
        {
            "product_id": str(WIDGET_ID),
            "sku": "WID-1",
            "name": "Widget",
            "unit_price": "19.99",
            "quantity": 3,
            "line_total": "59.97",
            "tax": "0.00",  # no tax rate for GB in this test
        },
        {
            "product_id": str(GADGET_ID),
            "sku": "GAD-1",
            "name": "Gadget",
            "unit_price": "5.50",
            "quantity": 1,
            "line_total": "5.50",
            "tax": "0.00",
        },
    ]
    assert data["shipping_address"] == {**ADDRESS, "line2": ""}
    # No checkout: no shipping method, billed where it ships.
    assert data["billing_address"] == data["shipping_address"]
    assert (data["subtotal"], data["shipping_price"], data["discount"]) == (
        "65.47",
        "0.00",
        "0.00",
    )
    assert (data["shipping_method"], data["voucher_code"], data["email"]) == (
        "",
        "",
        "",
    )
    assert data["payments"] == [] and data["shipment"] is None
    [payload] = outbox(PLACED)
    assert payload["order_id"] == data["id"]
    assert payload["user_id"] == str(customer.id)
    assert payload["total"] == "65.47"
    assert payload["currency"] == "EUR"
    assert [
        (line["sku"], line["quantity"], line["unit_price"]) for line in payload["lines"]
    ] == [
        ("WID-1", 3, "19.99"),
        ("GAD-1", 1, "5.50"),
    ]


def test_the_line_keeps_the_price_it_was_sold_at(customer_client, catalog):
    response = place(customer_client)
    catalog[WIDGET_ID] = catalog[WIDGET_ID].__class__(
        **{**catalog[WIDGET_ID].__dict__, "unit_price": Decimal("99.00")}
    )

    detail = customer_client.get(response["Location"]).json()

    assert detail["lines"][0]["unit_price"] == "19.99"
    assert detail["total"] == "39.98"


@pytest.mark.parametrize(
    ("product_id", "message"),
    [
        (uuid.UUID("00000000-0000-4000-8000-0000000000ff"), "Unknown product"),
        (RETIRED_ID, "is not available"),
    ],
)
def test_unknown_or_inactive_product_is_400_naming_the_line(
    customer_client, catalog, product_id, message
):
    items = [
        {"product_id": str(WIDGET_ID), "quantity": 1},
        {"product_id": str(product_id), "quantity": 1},
    ]

    response = place(customer_client, items)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]["items"]
    assert list(errors) == ["1"]
    assert message in errors["1"]["product_id"][0]
    assert Order.objects.count() == 0
    assert outbox(PLACED) == []


@pytest.mark.parametrize(
    ("payload", "field_path"),
    [
        ({"items": []}, ("items",)),
        (
            {"items": [{"product_id": str(WIDGET_ID), "quantity": 0}]},
            ("items", "0", "quantity"),
        ),
        (
            {"items": [{"product_id": str(WIDGET_ID), "quantity": 1001}]},
            ("items", "0", "quantity"),
        ),
        (
            {"items": [{"product_id": "nope", "quantity": 1}]},
            ("items", "0", "product_id"),
        ),
        (
            {"items": [{"product_id": str(WIDGET_ID), "quantity": 600}] * 2},
            ("items", "0", "quantity"),
        ),
        (
            {"items": [{"product_id": str(uuid.uuid4()), "quantity": 1}] * 101},
            ("items", "non_field_errors"),
        ),
        (
            {"shipping_address": {**ADDRESS, "country": "XX"}},
            ("shipping_address", "country"),
        ),
        (
            {"shipping_address": {**ADDRESS, "postal_code": "!"}},
            ("shipping_address", "postal_code"),
        ),
        ({"shipping_address": {"name": "A"}}, ("shipping_address", "line1")),
        ({"shipping_address": None}, ("shipping_address",)),
    ],
)
def test_bad_input_is_400_with_field_errors(
    customer_client, catalog, payload, field_path
):
    response = customer_client.post(
        "/api/v1/orders/", {**body(), **payload}, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    for part in field_path:
        errors = errors[part]
    assert errors
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0


def test_country_is_normalised_to_upper_case(customer_client, catalog):
    response = customer_client.post(
        "/api/v1/orders/",
        body(shipping_address={**ADDRESS, "country": "de", "line2": "Flat 3"}),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["shipping_address"]["country"] == "DE"
    assert response.json()["shipping_address"]["line2"] == "Flat 3"


def test_anonymous_cannot_place(api_client, catalog):
    response = place(api_client)

    assert response.status_code == 401
    assert Order.objects.count() == 0


def test_placement_is_throttled_per_user(
    customer_client, other_client, catalog, monkeypatch, throttle_clock
):
    monkeypatch.setattr(OrderPlaceThrottle, "rate", "2/min", raising=False)

    statuses = [place(customer_client).status_code for _ in range(3)]
    other = place(other_client)

    assert statuses == [201, 201, 429]
    assert other.status_code == 201
    assert Order.objects.count() == 3


def test_throttled_answer_has_retry_after(
    customer_client, catalog, monkeypatch, throttle_clock
):
    monkeypatch.setattr(OrderPlaceThrottle, "rate", "1/min", raising=False)
    place(customer_client)

    response = place(customer_client)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["status"] == 429


def test_units_held_in_unpaid_orders_are_capped_per_customer_and_product(
    customer_client, other_client, catalog, settings
):
    settings.ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT = 5
    first = place(customer_client, [{"product_id": str(WIDGET_ID), "quantity": 4}])
    hoard = place(customer_client, [{"product_id": str(WIDGET_ID), "quantity": 2}])
    other_product = place(
        customer_client, [{"product_id": str(GADGET_ID), "quantity": 5}]
    )
    other_customer = place(
        other_client, [{"product_id": str(WIDGET_ID), "quantity": 5}]
    )

    assert first.status_code == 201
    assert hoard.status_code == 409
    assert hoard["Content-Type"] == "application/problem+json"
    assert hoard.json()["code"] == "unpaid_hold_limit"
    assert hoard.json()["product_ids"] == [str(WIDGET_ID)]
    assert hoard.json()["limit"] == 5
    assert other_product.status_code == 201
    assert other_customer.status_code == 201
    assert Order.objects.count() == 3


def test_every_problem_of_the_lines_is_reported_at_once(customer_client, catalog):
    unknown = "00000000-0000-4000-8000-0000000000ff"
    items = [
        {"product_id": str(WIDGET_ID), "quantity": 0},
        {"product_id": unknown, "quantity": 1},
    ]

    response = place(customer_client, items)

    errors = response.json()["errors"]["items"]
    assert response.status_code == 400
    assert set(errors) == {"0", "1"}
    assert "quantity" in errors["0"]
    assert "Unknown product" in errors["1"]["product_id"][0]


def test_an_order_of_exactly_the_most_lines_is_placed(
    customer_client, catalog, settings
):
    settings.ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT = 100
    items = [{"product_id": str(WIDGET_ID), "quantity": 1}] * 100

    response = place(customer_client, items)

    assert response.status_code == 201, response.json()
    assert OrderLine.objects.get().quantity == 100


def test_an_order_whose_event_cannot_be_written_leaves_nothing(
    customer, catalog, monkeypatch
):
    outbox_fails(monkeypatch, placement)

    with pytest.raises(DatabaseError):
        placement.order_place(
            user_id=customer.id,
            items=[placement.RequestedLine(product_id=WIDGET_ID, quantity=2)],
            address=placement.ShippingAddress(**ADDRESS),
        )

    assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)
    assert outbox(PLACED) == []


@pytest.mark.parametrize("count", [0, 101])
def test_an_order_of_no_lines_or_too_many_is_refused_by_the_service(
    customer, catalog, count
):
    items = [placement.RequestedLine(product_id=WIDGET_ID, quantity=1)] * count

    with pytest.raises(ValidationFailed) as refused:
        placement.order_place(
            user_id=customer.id,
            items=items,
            address=placement.ShippingAddress(**ADDRESS),
        )

    assert refused.value.extra["errors"] == {
        "items": ["An order has between 1 and 100 lines."]
    }
    assert Order.objects.count() == 0
