import contextlib
from decimal import Decimal

import pytest
from django.db import connections

from apps.common.db import alias_for
from apps.orders.gateway import GatewayTransientError, TestGateway, gateway_breaker
from apps.orders.models import Order, Payment
from apps.orders.services import payments
from apps.orders.services.lifecycle import order_expire
from tests.conftest import circuit_is_open
from tests.orders.helpers import inventory_says, outbox, place, reserved

pytestmark = pytest.mark.django_db
PAID = "orders.order.paid.v1"


def pay(client, order, token="tok_success", **headers):
    return client.post(
        f"/api/v1/orders/{order.id}/pay/",
        {"payment_token": token},
        format="json",
        **headers,
    )


def test_a_captured_payment_pays_the_order(confirmed_order, customer_client):
    response = pay(customer_client, confirmed_order)

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "paid"
    [payment] = data["payments"]
    assert payment["status"] == "captured"
    assert payment["amount"] == "39.98"
    assert TestGateway.captures() == 1
    recorded = Payment.objects.get()
    assert (recorded.gateway_key, recorded.tries) == (f"charge-{recorded.id}", 1)
    assert outbox(PAID) == [
        {
            "order_id": str(confirmed_order.id),
            "user_id": str(confirmed_order.user_id),
            "email": "",
            "payment_id": payment["id"],
            "amount": "39.98",
            "currency": "EUR",
        }
    ]


def test_the_charge_asks_the_provider_for_the_orders_amount_and_currency(
    confirmed_order, customer_client, monkeypatch
):
    asked = []
    real_charge = TestGateway.charge

    def recorded(self, **kwargs):
        asked.append(kwargs)
        return real_charge(self, **kwargs)

    monkeypatch.setattr(TestGateway, "charge", recorded)

    assert pay(customer_client, confirmed_order).status_code == 200

    assert [(a["amount"], a["currency"]) for a in asked] == [(Decimal("39.98"), "EUR")]


def test_declined_is_402_and_the_order_stays_payable(confirmed_order, customer_client):
    declined = pay(customer_client, confirmed_order, "tok_declined")

    assert declined.status_code == 402
    assert declined["Content-Type"] == "application/problem+json"
    assert declined.json()["code"] == "payment_declined"
    assert declined.json()["decline_reason"] == "card_declined"
    assert declined.json()["detail"] == "The payment was declined (card_declined)."
    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "confirmed"
    assert outbox(PAID) == []

    retried = pay(customer_client, confirmed_order)

    assert retried.status_code == 200
    assert [p["status"] for p in retried.json()["payments"]] == [
        "declined",
        "captured",
    ]


def test_transient_failure_is_retried_then_503_and_resumed_later(
    confirmed_order, customer_client, monkeypatch
):
    calls = []
    real_charge = TestGateway.charge

    def counting_charge(self, **kwargs):
        calls.append(kwargs["idempotency_key"])
        return real_charge(self, **kwargs)

    monkeypatch.setattr(TestGateway, "charge", counting_charge)

    failed = pay(customer_client, confirmed_order, "tok_error")

    assert failed.status_code == 503
    assert failed.json()["code"] == "payment_gateway_unavailable"
    assert failed["Retry-After"] == "1"
    assert failed.json()["detail"] == "The payment provider did not answer; try again."
    assert len(calls) == 3 and len(set(calls)) == 1
    [attempt] = Payment.objects.filter(order=confirmed_order)
    assert attempt.status == "processing"
    assert "tok_error" in attempt.last_error

    resumed = pay(customer_client, confirmed_order)

    assert resumed.status_code == 200
    assert resumed.json()["status"] == "paid"
    assert calls[-1] == attempt.gateway_key  # the same attempt, the same key
    assert Payment.objects.filter(order=confirmed_order).count() == 1


def test_an_error_is_noted_on_its_own_attempt_only_while_it_is_processing(
    confirmed_order, customer_client, deliver_events
):
    other_id = place(customer_client).json()["id"]
    inventory_says(reserved(other_id))
    deliver_events()
    noted, other = (
        Payment.objects.create(
            order=order,
            amount=order.total,
            currency=order.currency,
            gateway_key=f"charge-{order.id}",
        )
        for order in (confirmed_order, Order.objects.get(pk=other_id))
    )

    payments._payment_note_error(noted.id, "e" * 600)
    Payment.objects.filter(pk=other.pk).update(status="declined")
    payments._payment_note_error(other.id, "too late")

    noted.refresh_from_db()
    other.refresh_from_db()
    assert (noted.last_error, other.last_error) == ("e" * 500, "")


def test_paying_a_pending_order_is_409_naming_the_status(placed_order, customer_client):
    response = pay(customer_client, placed_order)

    assert response.status_code == 409
    assert response.json()["current_status"] == "pending"
    assert response.json()["detail"] == "Cannot pay an order that is pending."
    assert Payment.objects.count() == 0
    assert TestGateway.captures() == 0


def test_paying_twice_is_409(paid_order, customer_client):
    response = pay(customer_client, paid_order)

    assert response.status_code == 409
    assert response.json()["current_status"] == "paid"
    assert TestGateway.captures() == 1
    assert Payment.objects.count() == 1


def test_another_users_order_cannot_be_paid(
    confirmed_order, other_client, staff_client
):
    assert pay(other_client, confirmed_order).status_code == 404
    assert pay(staff_client, confirmed_order).status_code == 404
    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "confirmed"
    assert Payment.objects.count() == 0


def test_missing_token_is_400(confirmed_order, customer_client):
    response = customer_client.post(
        f"/api/v1/orders/{confirmed_order.id}/pay/", {}, format="json"
    )

    assert response.status_code == 400
    assert "payment_token" in response.json()["errors"]
    assert Payment.objects.count() == 0


def test_no_transaction_is_open_while_the_gateway_is_called(
    confirmed_order, customer_client, monkeypatch
):
    seen = []
    real_charge = TestGateway.charge

    def observing_charge(self, **kwargs):
        # pytest-django wraps each test in one outer atomic block; anything
        # deeper would be a transaction (and its row locks) held by the service.
        connection = connections[alias_for("orders")]
        seen.append(len(connection.atomic_blocks))
        return real_charge(self, **kwargs)

    monkeypatch.setattr(TestGateway, "charge", observing_charge)

    assert pay(customer_client, confirmed_order).status_code == 200
    assert seen == [1]


def test_a_crash_between_capture_and_recording_never_captures_twice(
    confirmed_order, customer_client, monkeypatch
):
    real_record = payments._payment_record

    def crash(payment_id, result, **kwargs):
        raise RuntimeError("process died after the capture")

    monkeypatch.setattr(payments, "_payment_record", crash)
    with pytest.raises(RuntimeError):
        pay(customer_client, confirmed_order)
    assert TestGateway.captures() == 1
    [attempt] = Payment.objects.all()
    assert attempt.status == "processing"

    monkeypatch.setattr(payments, "_payment_record", real_record)
    response = pay(customer_client, confirmed_order)

    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert TestGateway.captures() == 1
    [payment] = Payment.objects.all()
    assert payment.pk == attempt.pk and payment.status == "captured"
    assert len(outbox(PAID)) == 1


def test_a_capture_for_an_order_that_moved_on_is_refunded(
    confirmed_order, customer_client, monkeypatch
):
    real_charge = TestGateway.charge

    def expiring_charge(self, **kwargs):
        result = real_charge(self, **kwargs)
        order_expire(
            order_id=confirmed_order.id, reservation_id=confirmed_order.reservation_id
        )
        return result

    monkeypatch.setattr(TestGateway, "charge", expiring_charge)

    response = pay(customer_client, confirmed_order)

    assert response.status_code == 409
    assert response.json()["current_status"] == "cancelled"
    assert TestGateway.captures() == 1
    assert TestGateway.refunds() == 1
    assert Payment.objects.get().status == "refunded"
    assert Order.objects.get().status == "cancelled"
    assert outbox(PAID) == []


def test_breaker_opens_fails_fast_and_closes_after_recovery(
    confirmed_order, customer_client, settings, monkeypatch
):
    settings.ORDERS_BREAKER_THRESHOLD = 3
    settings.ORDERS_BREAKER_RESET_SECONDS = 30
    clock = [1_000_000.0]
    monkeypatch.setattr("apps.common.breaker.time.time", lambda: clock[0])
    assert pay(customer_client, confirmed_order, "tok_error").status_code == 503

    fast = pay(customer_client, confirmed_order, "tok_success")

    assert fast.status_code == 503
    assert fast["Retry-After"] == "30"
    assert fast.json()["detail"] == (
        "The payment provider keeps failing; try again later."
    )
    assert TestGateway.captures() == 0  # the provider was not even called
    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "confirmed"

    clock[0] += 31
    recovered = pay(customer_client, confirmed_order, "tok_success")

    assert recovered.status_code == 200
    assert recovered.json()["status"] == "paid"
    assert TestGateway.captures() == 1
    assert not circuit_is_open(gateway_breaker())


def test_a_failing_trial_call_opens_the_breaker_again(
    confirmed_order, customer_client, settings, monkeypatch
):
    settings.ORDERS_BREAKER_THRESHOLD = 3
    clock = [1_000_000.0]
    monkeypatch.setattr("apps.common.breaker.time.time", lambda: clock[0])
    pay(customer_client, confirmed_order, "tok_error")
    clock[0] += 31

    trial = pay(customer_client, confirmed_order, "tok_error")

    assert trial.status_code == 503
    assert circuit_is_open(gateway_breaker())


def test_an_open_breaker_answers_503_before_any_payment_is_written(
    confirmed_order, customer_client, settings
):
    settings.ORDERS_BREAKER_THRESHOLD = 1
    with contextlib.suppress(GatewayTransientError), gateway_breaker().guard():
        raise GatewayTransientError("provider down")

    response = pay(customer_client, confirmed_order)

    assert response.status_code == 503
    assert not Payment.objects.exists()
    assert TestGateway.captures() == 0
