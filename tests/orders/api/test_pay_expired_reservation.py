import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apps.orders.errors import ReservationExpired
from apps.orders.gateway import TestGateway
from apps.orders.models import Order, Payment
from apps.orders.services import payments
from tests.orders.helpers import outbox

pytestmark = pytest.mark.django_db


def test_paying_after_the_reservation_expired_is_409_before_the_gateway(
    confirmed_order, customer_client
):
    Order.objects.update(
        reservation_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    response = customer_client.post(
        f"/api/v1/orders/{confirmed_order.id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "reservation_expired"
    assert response.json()["detail"] == (
        "The order's stock reservation has expired; it can no longer be paid."
    )
    assert response.json()["current_status"] == "confirmed"
    assert Order.objects.get().status == "confirmed"
    assert Payment.objects.count() == 0
    assert TestGateway.captures() == 0
    assert outbox("orders.order.paid.v1") == []


def test_a_reservation_expiring_this_very_instant_can_no_longer_be_paid(
    confirmed_order, monkeypatch
):
    instant = timezone.now()
    Order.objects.update(reservation_expires_at=instant)
    monkeypatch.setattr(payments, "timezone", SimpleNamespace(now=lambda: instant))

    with pytest.raises(ReservationExpired):
        payments.order_pay(
            order_id=confirmed_order.id,
            user_id=confirmed_order.user_id,
            payment_token="tok_success",
        )

    assert Payment.objects.count() == 0
    assert TestGateway.captures() == 0


def test_a_capture_after_the_reservation_expired_meanwhile_is_refunded(
    confirmed_order, customer_client, monkeypatch
):
    real_charge = TestGateway.charge

    def charge_past_the_expiry(self, **kwargs):
        result = real_charge(self, **kwargs)
        Order.objects.update(reservation_expires_at=timezone.now())
        return result

    monkeypatch.setattr(TestGateway, "charge", charge_past_the_expiry)

    response = customer_client.post(
        f"/api/v1/orders/{confirmed_order.id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "reservation_expired"
    assert response.json()["current_status"] == "confirmed"
    assert Order.objects.get().status == "confirmed"
    assert Payment.objects.get().status == "refunded"
    assert TestGateway.captures() == 1
    assert TestGateway.refunds() == 1
    assert outbox("orders.order.paid.v1") == []
