"""A refund names the capture it returns, and refuses an order that is not
paid before anything moves."""

import pytest

from apps.orders.errors import IllegalTransition
from apps.orders.gateway import TestGateway
from apps.orders.models import Order, Payment
from apps.orders.services import payments

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

    assert [(a["reference"], a["amount"]) for a in asked] == [
        (payment.gateway_reference, payment.amount)
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
