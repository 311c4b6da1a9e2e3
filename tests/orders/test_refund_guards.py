"""A refund names the capture it returns, and refuses an order that is not
paid before anything moves."""

import pytest

from apps.orders.errors import IllegalTransition
from apps.orders.gateway import TestGateway
from apps.orders.models import Order, Payment
from apps.orders.services import payments
from tests.orders.helpers import inventory_says, outbox, place, reserved

pytestmark = pytest.mark.django_db


def test_a_refund_names_the_capture_to_the_provider(paid_order, monkeypatch):
    asked = []
    real_refund = TestGateway.refund

    def recorded(self, **kwargs):
        asked.append(kwargs)
        return real_refund(self, **kwargs)

    monkeypatch.setattr(TestGateway, "refund", recorded)
    payment = Payment.objects.get()

    payments.order_refund(order_id=paid_order.id)

    assert [
        (a["idempotency_key"], a["reference"], a["amount"], a["currency"])
        for a in asked
    ] == [
        (
            f"refund-{payment.id}",
            payment.gateway_reference,
            payment.amount,
            payment.currency,
        )
    ]
    assert payment.gateway_reference.startswith("ch_")


def test_a_refund_of_an_order_not_paid_is_refused_by_its_status(confirmed_order):
    with pytest.raises(IllegalTransition) as refused:
        payments.order_refund(order_id=confirmed_order.id)

    assert str(refused.value) == "Cannot refund an order that is confirmed."
    assert refused.value.extra == {"current_status": "confirmed"}
    assert Order.objects.get().status == "confirmed"
    assert TestGateway.refunds() == 0


def test_a_staff_refund_says_why_the_order_ended(paid_order):
    payments.order_refund(order_id=paid_order.id)

    order = Order.objects.get()
    assert (order.status, order.status_reason) == ("refunded", "refunded by staff")


def test_refunds_of_two_orders_are_two_refunds_each_of_its_own_payment(
    paid_order, customer_client, deliver_events
):
    other_id = place(customer_client).json()["id"]
    inventory_says(reserved(other_id))
    deliver_events()
    paid = customer_client.post(
        f"/api/v1/orders/{other_id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )
    assert paid.status_code == 200, paid.json()

    payments.order_refund(order_id=paid_order.id)

    assert Payment.objects.get(order_id=other_id).status == "captured"

    payments.order_refund(order_id=other_id)

    assert TestGateway.refunds() == 2
    assert set(Payment.objects.values_list("status", flat=True)) == {"refunded"}


def test_the_refund_event_carries_the_customers_email(paid_order):
    Order.objects.filter(pk=paid_order.id).update(email="ada@example.com")

    payments.order_refund(order_id=paid_order.id)

    [refunded] = outbox("orders.order.refunded.v1")
    assert (refunded["order_id"], refunded["email"]) == (
        str(paid_order.id),
        "ada@example.com",
    )
