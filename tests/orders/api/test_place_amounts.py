"""Amounts that do not fit the order's columns are refused at placement."""

from dataclasses import replace
from decimal import Decimal

import pytest

from apps.orders.models import Order, OrderLine
from tests.orders.helpers import GADGET_ID, WIDGET_ID, outbox, place

pytestmark = pytest.mark.django_db


def test_a_line_total_too_large_is_400_naming_the_line(customer_client, catalog):
    catalog[WIDGET_ID] = replace(
        catalog[WIDGET_ID], unit_price=Decimal("9999999999.99")
    )

    response = place(
        customer_client,
        [
            {"product_id": str(GADGET_ID), "quantity": 1},
            {"product_id": str(WIDGET_ID), "quantity": 1000},
        ],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "items": {
            "1": {
                "quantity": [
                    "The line total 9999999999990.00 EUR is larger than the "
                    "largest order amount, 999999999999.99."
                ]
            }
        }
    }
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert outbox("orders.order.placed.v1") == []


def test_an_order_total_too_large_is_400(customer_client, catalog):
    for product_id in (WIDGET_ID, GADGET_ID):
        catalog[product_id] = replace(
            catalog[product_id], unit_price=Decimal("999999999.99")
        )

    response = place(
        customer_client,
        [
            {"product_id": str(WIDGET_ID), "quantity": 1000},
            {"product_id": str(GADGET_ID), "quantity": 1000},
        ],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "items": [
            "The order total 1999999999980.00 EUR is larger than the largest "
            "order amount, 999999999999.99."
        ]
    }
    assert Order.objects.count() == 0
    assert outbox("orders.order.placed.v1") == []
    assert customer_client.get("/api/v1/orders/").json()["count"] == 0


def test_the_largest_amount_that_fits_is_placed_and_listed(
    customer_client, catalog, settings
):
    settings.ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT = 1000
    catalog[WIDGET_ID] = replace(catalog[WIDGET_ID], unit_price=Decimal("999999999.99"))

    response = place(
        customer_client, [{"product_id": str(WIDGET_ID), "quantity": 1000}]
    )

    assert response.status_code == 201
    assert response.json()["total"] == "999999999990.00"
    listed = customer_client.get("/api/v1/orders/")
    assert listed.status_code == 200
    assert listed.json()["results"][0]["total"] == "999999999990.00"


def test_exactly_the_largest_amount_is_placed(customer_client, catalog, settings):
    settings.ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT = 1000
    # 239 x 4184100418.41 = 999999999999.99, with a price the catalog can hold.
    catalog[WIDGET_ID] = replace(
        catalog[WIDGET_ID], unit_price=Decimal("4184100418.41")
    )

    response = place(customer_client, [{"product_id": str(WIDGET_ID), "quantity": 239}])

    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "999999999999.99"
