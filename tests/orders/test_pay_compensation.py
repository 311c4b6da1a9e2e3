"""A capture that arrives after the order stopped being payable is refunded,
and the answer says why, by name."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.orders.gateway import TestGateway
from apps.orders.models import Order, Payment
from apps.orders.services.lifecycle import order_expire

pytestmark = pytest.mark.django_db


def pay_while(customer_client, order, monkeypatch, meanwhile):
    real_charge = TestGateway.charge

    def charge(self, **kwargs):
        result = real_charge(self, **kwargs)
        meanwhile()
        return result

    monkeypatch.setattr(TestGateway, "charge", charge)
    return customer_client.post(
        f"/api/v1/orders/{order.id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )


def test_a_reservation_expiring_during_the_charge_is_refunded_and_said(
    confirmed_order, customer_client, monkeypatch
):
    def expire_the_hold():  # the expiry job has not run yet: still confirmed
        Order.objects.filter(pk=confirmed_order.pk).update(
            reservation_expires_at=timezone.now() - dt.timedelta(seconds=1)
        )

    response = pay_while(customer_client, confirmed_order, monkeypatch, expire_the_hold)

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The order's stock reservation expired while paying; the payment was refunded."
    )
    assert response.json()["current_status"] == "confirmed"
    assert Payment.objects.get().status == "refunded"
    assert TestGateway.refunds() == 1


def test_an_order_cancelled_during_the_charge_is_refunded_and_named(
    confirmed_order, customer_client, monkeypatch
):
    def cancel():
        order_expire(
            order_id=confirmed_order.id, reservation_id=confirmed_order.reservation_id
        )

    response = pay_while(customer_client, confirmed_order, monkeypatch, cancel)

    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot pay an order that is cancelled."
    assert Payment.objects.get().status == "refunded"
