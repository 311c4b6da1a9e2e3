import uuid

import pytest

from apps.orders.gateway import TestGateway
from apps.orders.models import Order, Shipment
from tests.orders.helpers import outbox, place

pytestmark = pytest.mark.django_db


def post(client, order, action, data=None):
    return client.post(
        f"/api/v1/orders/{order.id}/{action}/", data or {}, format="json"
    )


def test_owner_cancels_a_pending_order(placed_order, customer_client):
    response = post(customer_client, placed_order, "cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert outbox("orders.order.cancelled.v1") == [
        {
            "order_id": str(placed_order.id),
            "user_id": str(placed_order.user_id),
            "email": "",
            "reason": "cancelled by customer",
        }
    ]


def test_cancelling_twice_is_409_naming_the_status(placed_order, customer_client):
    post(customer_client, placed_order, "cancel")

    response = post(customer_client, placed_order, "cancel")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert response.json()["current_status"] == "cancelled"
    assert response.json()["detail"] == "Cannot cancel an order that is cancelled."
    assert len(outbox("orders.order.cancelled.v1")) == 1


def test_staff_cancel_a_confirmed_order(confirmed_order, staff_client):
    response = post(staff_client, confirmed_order, "cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["status_reason"] == "cancelled by staff"


def test_customer_cannot_cancel_a_paid_order(paid_order, customer_client):
    response = post(customer_client, paid_order, "cancel")

    assert response.status_code == 409
    assert response.json()["current_status"] == "paid"
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    assert TestGateway.refunds() == 0
    assert outbox("orders.order.refunded.v1") == []


def test_staff_cancel_of_a_paid_order_refunds_it(paid_order, staff_client):
    response = post(staff_client, paid_order, "cancel")

    assert response.status_code == 200
    assert response.json()["status"] == "refunded"
    assert [p["status"] for p in response.json()["payments"]] == ["refunded"]
    assert TestGateway.refunds() == 1
    assert outbox("orders.order.refunded.v1") == [
        {
            "order_id": str(paid_order.id),
            "user_id": str(paid_order.user_id),
            "email": "",
            "amount": "39.98",
            "currency": "EUR",
        }
    ]


def test_ship_and_deliver(paid_order, staff_client, customer_client):
    shipped = post(
        staff_client,
        paid_order,
        "ship",
        {"carrier": "DHL", "tracking_number": "JD0001"},
    )

    assert shipped.status_code == 200
    assert shipped.json()["status"] == "shipped"
    assert shipped.json()["shipment"]["carrier"] == "DHL"
    assert shipped.json()["shipment"]["tracking_number"] == "JD0001"
    assert shipped.json()["shipment"]["delivered_at"] is None
    assert outbox("orders.order.shipped.v1") == [
        {
            "order_id": str(paid_order.id),
            "user_id": str(paid_order.user_id),
            "email": "",
            "carrier": "DHL",
            "tracking_number": "JD0001",
        }
    ]

    delivered = post(staff_client, paid_order, "deliver")

    assert delivered.status_code == 200
    assert delivered.json()["status"] == "delivered"
    assert delivered.json()["shipment"]["delivered_at"] is not None
    assert len(outbox("orders.order.delivered.v1")) == 1
    seen = customer_client.get(f"/api/v1/orders/{paid_order.id}/").json()
    assert seen["status"] == "delivered"


def test_a_shipped_order_cannot_be_refunded_or_delivered_twice(
    paid_order, staff_client
):
    post(staff_client, paid_order, "ship", {"carrier": "UPS", "tracking_number": "1"})
    post(staff_client, paid_order, "deliver")

    refund = post(staff_client, paid_order, "cancel")
    again = post(staff_client, paid_order, "deliver")

    assert (refund.status_code, refund.json()["current_status"]) == (409, "delivered")
    assert (again.status_code, again.json()["current_status"]) == (409, "delivered")
    assert TestGateway.refunds() == 0


def test_shipping_an_unpaid_order_is_409(confirmed_order, staff_client):
    response = post(
        staff_client,
        confirmed_order,
        "ship",
        {"carrier": "DHL", "tracking_number": "X"},
    )

    assert response.status_code == 409
    assert response.json()["current_status"] == "confirmed"
    assert Shipment.objects.count() == 0


def test_ship_needs_carrier_and_tracking_number(paid_order, staff_client):
    response = post(staff_client, paid_order, "ship", {"carrier": ""})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"carrier", "tracking_number"}
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


def test_customers_cannot_ship_or_deliver(paid_order, customer_client):
    ship = post(
        customer_client, paid_order, "ship", {"carrier": "DHL", "tracking_number": "1"}
    )
    deliver = post(customer_client, paid_order, "deliver")

    assert (ship.status_code, deliver.status_code) == (403, 403)
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"


@pytest.mark.parametrize("action", ["", "cancel/", "pay/"])
def test_another_users_order_is_404_like_a_random_id(
    placed_order, other_client, action
):
    method = other_client.get if action == "" else other_client.post
    data = {"payment_token": "tok_success"}

    theirs = method(f"/api/v1/orders/{placed_order.id}/{action}", data, format="json")
    random = method(f"/api/v1/orders/{uuid.uuid4()}/{action}", data, format="json")

    assert theirs.status_code == random.status_code == 404
    assert theirs.json()["code"] == random.json()["code"] == "order_not_found"
    assert theirs.json()["detail"] == f"Order {placed_order.id} not found."
    placed_order.refresh_from_db()
    assert placed_order.status == "pending"


def test_customers_list_their_own_orders_staff_all_with_filters(
    customer, other_customer, customer_client, other_client, staff_client, catalog
):
    mine = [place(customer_client).json()["id"] for _ in range(2)]
    theirs = place(other_client).json()["id"]
    post(customer_client, Order.objects.get(pk=mine[0]), "cancel")

    own = customer_client.get("/api/v1/orders/").json()
    everything = staff_client.get("/api/v1/orders/").json()
    cancelled = staff_client.get("/api/v1/orders/?status=cancelled").json()
    by_user = staff_client.get(f"/api/v1/orders/?user={other_customer.id}").json()
    ignored = other_client.get(f"/api/v1/orders/?user={customer.id}").json()

    assert {o["id"] for o in own["results"]} == set(mine)
    assert own["count"] == 2
    assert {o["id"] for o in everything["results"]} == {*mine, theirs}
    assert [o["id"] for o in cancelled["results"]] == [mine[0]]
    assert [o["id"] for o in by_user["results"]] == [theirs]
    assert [o["id"] for o in ignored["results"]] == [theirs]


def test_bad_list_filter_is_400(customer_client):
    response = customer_client.get("/api/v1/orders/?status=lost")

    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_a_refund_that_failed_half_way_blocks_shipping_and_can_be_retried(
    paid_order, staff_client, monkeypatch
):
    from apps.orders.gateway import GatewayTransientError

    real_refund = TestGateway.refund

    def unavailable(self, **kwargs):
        raise GatewayTransientError("provider down")

    monkeypatch.setattr(TestGateway, "refund", unavailable)
    failed = post(staff_client, paid_order, "cancel")
    ship = post(
        staff_client, paid_order, "ship", {"carrier": "DHL", "tracking_number": "1"}
    )

    assert failed.status_code == 503
    assert (ship.status_code, ship.json()["code"]) == (409, "refund_in_progress")
    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    assert paid_order.payments.get().status == "refunding"
    assert Shipment.objects.count() == 0

    monkeypatch.setattr(TestGateway, "refund", real_refund)
    retried = post(staff_client, paid_order, "cancel")

    assert retried.status_code == 200
    assert retried.json()["status"] == "refunded"
    assert [p["status"] for p in retried.json()["payments"]] == ["refunded"]
    assert TestGateway.refunds() == 1
    assert len(outbox("orders.order.refunded.v1")) == 1


def test_a_refund_recorded_before_the_order_moved_still_blocks_shipping(
    paid_order, staff_client
):
    # A staff refund that died after the gateway refund was recorded.
    paid_order.payments.update(status="refunded")

    ship = post(
        staff_client, paid_order, "ship", {"carrier": "DHL", "tracking_number": "1"}
    )

    assert (ship.status_code, ship.json()["code"]) == (409, "refund_in_progress")
    assert Shipment.objects.count() == 0


def test_only_an_order_awaiting_payment_shows_its_reservation_expiry(
    confirmed_order, customer_client
):
    url = f"/api/v1/orders/{confirmed_order.pk}/"
    awaiting = customer_client.get(url).json()["reservation_expires_at"]
    customer_client.post(f"{url}pay/", {"payment_token": "tok_success"}, format="json")

    paid = customer_client.get(url).json()

    assert awaiting is not None
    assert (paid["status"], paid["reservation_expires_at"]) == ("paid", None)
