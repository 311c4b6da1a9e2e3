"""Cart to delivered order in-process (embedded), every app real."""

import pytest

from apps.orders.interface import guest_order_link
from tests.orders.e2e.cart_flows import customer_journey, guest_journey
from tests.orders.e2e.conftest import EVERY_APP
from tests.orders.helpers import outbox

pytestmark = [pytest.mark.django_db, EVERY_APP]


def test_a_customer_from_an_empty_cart_to_a_delivered_order(
    customer_client, staff_client, make_product, stock_of, settle
):
    customer_journey(
        customer_client=customer_client,
        staff_client=staff_client,
        make_product=make_product,
        stock_of=stock_of,
        settle=settle,
    )

    assert [e["email"] for e in outbox("orders.order.delivered.v1")] == [""]


def test_a_guest_from_an_empty_cart_to_a_delivered_order(
    api_client, staff_client, make_product, stock_of, settle
):
    order = guest_journey(
        api_client=api_client,
        staff_client=staff_client,
        make_product=make_product,
        stock_of=stock_of,
        settle=settle,
    )

    # The users app mails the address the events carry (tests/users).
    for event_type in ("confirmed", "paid", "shipped", "delivered"):
        [event] = outbox(f"orders.order.{event_type}.v1")
        assert (event["user_id"], event["email"]) == (None, "guest@example.com")
        assert event["order_id"] == order["id"]
    # The link those e-mails carry (tests/users) is the one that opened the order.
    assert guest_order_link(order_id=order["id"]).endswith(order["guest_url"])
