"""`processing` payments whose client never came back: settled through the
gateway's record of their idempotency key (`manage.py payments_recover`, the
`orders.payments_recover` beat task on the orders queue)."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from apps.orders.gateway import TestGateway
from apps.orders.models import Payment
from apps.orders.services import payments
from apps.orders.services.lifecycle import order_expire
from tests.orders.helpers import outbox

pytestmark = pytest.mark.django_db
PAID = "orders.order.paid.v1"
LATER = dt.timedelta(minutes=16)


def left_processing(order, customer_client, monkeypatch, *, token="tok_success"):
    """A pay request that died after the gateway call, before recording it."""

    def crash(payment_id, result):
        raise RuntimeError("process died")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError):
        patched.setattr(payments, "_payment_record", crash)
        customer_client.post(
            f"/api/v1/orders/{order.id}/pay/", {"payment_token": token}, format="json"
        )
    [attempt] = Payment.objects.all()
    assert attempt.status == "processing"
    return attempt


def recover(now=None) -> str:
    out = StringIO()
    if now is None:
        call_command("payments_recover", stdout=out)
        return out.getvalue().strip()
    return payments.payments_recover_stale(now=now)


def test_a_capture_the_client_never_saw_recorded_is_paid(
    confirmed_order, customer_client, monkeypatch
):
    attempt = left_processing(confirmed_order, customer_client, monkeypatch)

    outcomes = recover(timezone.now() + LATER)

    assert outcomes == {"paid": 1}
    attempt.refresh_from_db()
    confirmed_order.refresh_from_db()
    assert (attempt.status, confirmed_order.status) == ("captured", "paid")
    assert TestGateway.captures() == 1
    assert len(outbox(PAID)) == 1
    assert recover(timezone.now() + LATER) == {}  # nothing left


def test_a_charge_the_provider_never_received_is_closed_and_payable_again(
    confirmed_order, customer_client, settings
):
    settings.ORDERS_GATEWAY_TRIES = 1
    response = customer_client.post(
        f"/api/v1/orders/{confirmed_order.id}/pay/",
        {"payment_token": "tok_error"},
        format="json",
    )
    assert response.status_code == 503
    [attempt] = Payment.objects.all()
    assert attempt.status == "processing"

    outcomes = recover(timezone.now() + LATER)

    assert outcomes == {"abandoned": 1}
    attempt.refresh_from_db()
    confirmed_order.refresh_from_db()
    assert (attempt.status, attempt.last_error) == ("declined", payments.ABANDONED)
    assert confirmed_order.status == "confirmed"
    assert TestGateway.captures() == 0
    paid = customer_client.post(
        f"/api/v1/orders/{confirmed_order.id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"


def test_recent_attempts_are_left_alone(confirmed_order, customer_client, monkeypatch):
    attempt = left_processing(confirmed_order, customer_client, monkeypatch)

    assert recover() == "stale payments: none"

    attempt.refresh_from_db()
    confirmed_order.refresh_from_db()
    assert (attempt.status, confirmed_order.status) == ("processing", "confirmed")
    assert outbox(PAID) == []


def test_a_resumed_attempt_is_not_closed(confirmed_order, customer_client, monkeypatch):
    attempt = left_processing(confirmed_order, customer_client, monkeypatch)
    seen_at = attempt.updated_at
    real_find = TestGateway.find_charge

    def client_resumes_meanwhile(self, *, idempotency_key):
        Payment.objects.filter(pk=attempt.pk).update(updated_at=timezone.now())
        return None  # as if the charge had not reached the provider yet

    monkeypatch.setattr(TestGateway, "find_charge", client_resumes_meanwhile)
    assert recover(timezone.now() + LATER) == {"resumed": 1}
    monkeypatch.setattr(TestGateway, "find_charge", real_find)

    attempt.refresh_from_db()
    assert attempt.status == "processing"
    assert attempt.updated_at > seen_at


def test_an_unreachable_provider_leaves_the_attempt(
    confirmed_order, customer_client, monkeypatch, settings
):
    attempt = left_processing(confirmed_order, customer_client, monkeypatch)
    settings.ORDERS_BREAKER_THRESHOLD = 1
    payments.CircuitBreaker(payments.BREAKER_NAME).record_failure()  # now open

    assert recover(timezone.now() + LATER) == {"unreachable": 1}

    attempt.refresh_from_db()
    assert attempt.status == "processing"
    assert TestGateway.captures() == 1


def test_a_capture_for_an_order_that_expired_meanwhile_is_refunded(
    confirmed_order, customer_client, monkeypatch
):
    attempt = left_processing(confirmed_order, customer_client, monkeypatch)
    order_expire(
        order_id=confirmed_order.id, reservation_id=confirmed_order.reservation_id
    )

    assert recover(timezone.now() + LATER) == {"refunded": 1}

    attempt.refresh_from_db()
    confirmed_order.refresh_from_db()
    assert (attempt.status, confirmed_order.status) == ("refunded", "cancelled")
    assert (TestGateway.captures(), TestGateway.refunds()) == (1, 1)
    assert outbox(PAID) == []


def test_the_beat_entries_run_on_the_orders_queue():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    entry = schedule["orders-payments-recover"]
    assert entry["task"] == "orders.payments_recover"
    assert entry["options"] == {"queue": "orders"}
    prune = schedule["orders-idempotency-prune"]
    assert prune["options"] == {"queue": "orders"}
