"""Payments whose outcome was unknown are settled; refunds owed are retried."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone

from apps.orders import tasks
from apps.orders.errors import IllegalTransition
from apps.orders.gateway import ChargeResult, GatewayTransientError, TestGateway
from apps.orders.models import Order, Payment
from apps.orders.services import payments
from apps.orders.services.lifecycle import order_expire
from tests.orders.helpers import expired, inventory_says, outbox, outbox_fails

pytestmark = pytest.mark.django_db
PAID = "orders.order.paid.v1"
CANCELLED = "orders.order.cancelled.v1"
REFUNDED = "orders.order.refunded.v1"


def pay(client, order, token="tok_success"):
    return client.post(
        f"/api/v1/orders/{order.id}/pay/", {"payment_token": token}, format="json"
    )


def cancel(client, order):
    return client.post(f"/api/v1/orders/{order.id}/cancel/", {}, format="json")


@pytest.fixture
def capture_then_fail(monkeypatch):
    """The reviewer's reproduction: the provider captures, then the answer is lost."""
    real_charge = TestGateway.charge

    def charge(self, **kwargs):
        real_charge(self, **kwargs)
        raise GatewayTransientError("connection reset after the capture")

    monkeypatch.setattr(TestGateway, "charge", charge)


def age_payments():
    Payment.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=10))


def settle(capsys) -> str:
    call_command("payments_settle")
    return capsys.readouterr().out.strip()


def test_an_order_with_a_payment_in_flight_cannot_be_cancelled(
    confirmed_order, customer_client, staff_client, capture_then_fail
):
    assert pay(customer_client, confirmed_order).status_code == 503

    by_customer = cancel(customer_client, confirmed_order)
    by_staff = cancel(staff_client, confirmed_order)

    for response in (by_customer, by_staff):
        assert response.status_code == 409
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "payment_in_progress"
        assert response.json()["detail"] == (
            "The order has a payment in progress; it cannot be cancelled "
            "until the payment is settled."
        )
    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "confirmed"
    assert Payment.objects.get().status == "processing"
    assert outbox(CANCELLED) == []
    assert TestGateway.captures() == 1
    assert TestGateway.refunds() == 0


def test_settle_records_a_lost_capture_and_pays_the_order(
    confirmed_order, customer_client, capture_then_fail, capsys
):
    assert pay(customer_client, confirmed_order).status_code == 503
    age_payments()

    assert settle(capsys) == (
        "settled 1 payments: 1 paid, 0 refunded, 0 failed, 0 declined, "
        "0 unresolved; 0 refunds owed retried, 0 still owed"
    )

    order = Order.objects.get()
    payment = Payment.objects.get()
    assert order.status == "paid"
    assert payment.status == "captured"
    assert payment.gateway_reference.startswith("ch_")
    assert [p["payment_id"] for p in outbox(PAID)] == [str(payment.id)]
    assert TestGateway.captures() == 1
    assert TestGateway.refunds() == 0
    # A second run finds nothing left to do.
    assert settle(capsys).startswith("settled 0 payments")


def test_expiry_cancels_and_settle_refunds_the_capture(
    confirmed_order, customer_client, capture_then_fail, deliver_events, capsys
):
    assert pay(customer_client, confirmed_order).status_code == 503
    inventory_says(expired(confirmed_order.id, confirmed_order.reservation_id))
    deliver_events()
    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "cancelled"
    assert confirmed_order.status_reason == "reservation_expired"
    age_payments()

    assert settle(capsys).startswith("settled 1 payments: 0 paid, 1 refunded,")

    payment = Payment.objects.get()
    assert payment.status == "refunded"
    assert Order.objects.get().status == "cancelled"
    assert outbox(PAID) == []
    assert TestGateway.captures() == 1
    assert TestGateway.refunds() == 1


def test_settle_marks_an_attempt_the_gateway_never_took_failed(
    confirmed_order, customer_client, capsys
):
    assert pay(customer_client, confirmed_order, "tok_error").status_code == 503
    age_payments()

    assert settle(capsys).startswith("settled 1 payments: 0 paid, 0 refunded, 1 failed")

    failed = Payment.objects.get()
    assert failed.status == "failed"
    assert failed.last_error == "no charge with this key at the gateway"
    assert Order.objects.get().status == "confirmed"
    # The order is payable again with a new attempt.
    retried = pay(customer_client, confirmed_order)
    assert retried.status_code == 200
    assert [p["status"] for p in retried.json()["payments"]] == ["failed", "captured"]


def test_settle_records_a_lost_decline(
    confirmed_order, customer_client, monkeypatch, capsys
):
    real_charge = TestGateway.charge

    def decline_then_fail(self, **kwargs):
        real_charge(self, **{**kwargs, "token": "tok_declined"})
        raise GatewayTransientError("timeout")

    monkeypatch.setattr(TestGateway, "charge", decline_then_fail)
    assert pay(customer_client, confirmed_order).status_code == 503
    age_payments()

    assert "1 declined" in settle(capsys)

    payment = Payment.objects.get()
    assert payment.status == "declined"
    assert payment.last_error == "card_declined"
    assert Order.objects.get().status == "confirmed"


def test_settle_leaves_a_recent_attempt_alone(
    confirmed_order, customer_client, capture_then_fail, capsys
):
    assert pay(customer_client, confirmed_order).status_code == 503
    before = Payment.objects.values().get()

    assert settle(capsys).startswith("settled 0 payments")

    assert Payment.objects.values().get() == before
    assert Order.objects.get().status == "confirmed"
    assert outbox(PAID) == []


def test_a_failed_compensating_refund_is_retried_by_settle(
    confirmed_order, customer_client, monkeypatch, capsys
):
    real_charge = TestGateway.charge
    real_refund = TestGateway.refund

    def expiring_charge(self, **kwargs):
        result = real_charge(self, **kwargs)
        order_expire(
            order_id=confirmed_order.id, reservation_id=confirmed_order.reservation_id
        )
        return result

    def refund_down(self, **kwargs):
        raise GatewayTransientError("refund endpoint down")

    monkeypatch.setattr(TestGateway, "charge", expiring_charge)
    monkeypatch.setattr(TestGateway, "refund", refund_down)
    assert pay(customer_client, confirmed_order).status_code == 503
    assert Payment.objects.get().status == "captured"
    assert Order.objects.get().status == "cancelled"
    monkeypatch.setattr(TestGateway, "refund", real_refund)

    assert settle(capsys).endswith("1 refunds owed retried, 0 still owed")

    assert Payment.objects.get().status == "refunded"
    assert TestGateway.captures() == 1
    assert TestGateway.refunds() == 1
    assert outbox(PAID) == []


def test_the_settle_task_runs_the_same_service(confirmed_order, customer_client):
    assert pay(customer_client, confirmed_order, "tok_error").status_code == 503
    age_payments()
    report = tasks.settle_payments()

    assert report == {
        "settled": 1,
        "paid": 0,
        "refunded": 0,
        "failed": 1,
        "declined": 0,
        "unresolved": 0,
        "refunds_retried": 0,
        "refunds_owed": 0,
    }
    assert Payment.objects.get().status == "failed"


def test_orders_beat_entries_go_to_the_orders_queue():
    schedule = settings.CELERY_BEAT_SCHEDULE

    assert schedule["orders-settle-payments"]["task"] == "orders.settle_payments"
    assert schedule["orders-settle-payments"]["options"] == {"queue": "orders"}
    assert schedule["orders-idempotency-prune"] == {
        "task": "orders.idempotency_prune",
        "schedule": 3600.0,
        "options": {"queue": "orders"},
    }


def test_settle_does_not_fail_an_attempt_a_pay_request_resumed_meanwhile(
    confirmed_order, customer, customer_client, monkeypatch, capsys
):
    assert pay(customer_client, confirmed_order, "tok_error").status_code == 503
    age_payments()

    def resumed_while_asking(self, **kwargs):
        # A pay request resumes the attempt while the settle job asks the
        # gateway; the gateway has no charge yet, but one may be coming.
        payments._payment_begin(order_id=confirmed_order.id, user_id=customer.id)
        return None

    monkeypatch.setattr(TestGateway, "retrieve", resumed_while_asking)

    assert settle(capsys).startswith(
        "settled 1 payments: 0 paid, 0 refunded, 0 failed, 0 declined, 1 unresolved"
    )

    assert Payment.objects.get().status == "processing"
    assert Order.objects.get().status == "confirmed"


def test_a_staff_refund_left_half_way_is_finished_by_settle(
    paid_order, staff_client, monkeypatch, capsys
):
    real_refund = TestGateway.refund

    def refund_down(self, **kwargs):
        raise GatewayTransientError("refund endpoint down")

    monkeypatch.setattr(TestGateway, "refund", refund_down)
    assert cancel(staff_client, paid_order).status_code == 503
    assert Payment.objects.get().status == "refunding"
    assert Order.objects.get().status == "paid"
    monkeypatch.setattr(TestGateway, "refund", real_refund)

    assert settle(capsys).endswith("0 refunds owed retried, 0 still owed")  # recent
    age_payments()
    assert settle(capsys).endswith("1 refunds owed retried, 0 still owed")

    assert Order.objects.get().status == "refunded"
    assert Payment.objects.get().status == "refunded"
    assert TestGateway.refunds() == 1
    assert len(outbox(REFUNDED)) == 1
    assert settle(capsys).endswith("0 refunds owed retried, 0 still owed")


def test_settle_finishes_a_refund_recorded_before_the_order_moved(paid_order, capsys):
    paid_order.payments.update(status="refunded")  # died before moving the order
    age_payments()

    assert settle(capsys).endswith("1 refunds owed retried, 0 still owed")

    assert Order.objects.get().status == "refunded"
    assert len(outbox(REFUNDED)) == 1


@pytest.fixture
def refund_answer_lost(monkeypatch):
    """The provider refunds, then the first answer is lost on the way back."""
    real_refund = TestGateway.refund
    lost = []

    def refund(self, **kwargs):
        reference = real_refund(self, **kwargs)
        if not lost:
            lost.append(kwargs["idempotency_key"])
            raise GatewayTransientError("connection reset after the refund")
        return reference

    monkeypatch.setattr(TestGateway, "refund", refund)
    return lost


def test_a_refund_retried_after_its_answer_was_lost_pays_out_once(
    paid_order, staff_client, refund_answer_lost
):
    response = cancel(staff_client, paid_order)

    assert response.status_code == 200, response.json()
    assert len(refund_answer_lost) == 1
    assert TestGateway.refunds() == 1
    assert Order.objects.get().status == "refunded"
    assert Payment.objects.get().status == "refunded"
    assert len(outbox(REFUNDED)) == 1


def test_recording_the_same_capture_twice_keeps_the_payment(paid_order):
    payment = Payment.objects.get()

    outcome, order = payments._payment_record(
        payment.id,
        ChargeResult(captured=True, reference=payment.gateway_reference),
    )

    assert (outcome, order.status) == ("already_recorded", "paid")
    assert Payment.objects.get().status == "captured"
    assert TestGateway.refunds() == 0
    assert len(outbox(PAID)) == 1


def test_a_refund_whose_event_cannot_be_written_leaves_the_order_paid(
    paid_order, monkeypatch, capsys
):
    outbox_fails(monkeypatch, payments)
    with pytest.raises(DatabaseError):
        payments.order_refund(order_id=paid_order.id)

    # The money went back; the order never moved without its event.
    assert (Order.objects.get().status, Payment.objects.get().status) == (
        "paid",
        "refunded",
    )
    assert outbox(REFUNDED) == []
    monkeypatch.undo()
    age_payments()
    assert settle(capsys).endswith("1 refunds owed retried, 0 still owed")
    assert Order.objects.get().status == "refunded"
    assert len(outbox(REFUNDED)) == 1
    assert TestGateway.refunds() == 1


def test_a_refund_meeting_an_order_moved_on_meanwhile_is_refused_by_name(
    paid_order, monkeypatch
):
    real_refund = TestGateway.refund

    def refund_while_shipped(self, **kwargs):
        # Shipping refuses while a refund is in progress, so only a write
        # around the services moves it here: the guard still names the refund.
        Order.objects.filter(pk=paid_order.pk).update(status="shipped")
        return real_refund(self, **kwargs)

    monkeypatch.setattr(TestGateway, "refund", refund_while_shipped)
    with pytest.raises(IllegalTransition) as refused:
        payments.order_refund(order_id=paid_order.id)

    assert str(refused.value) == "Cannot refund an order that is shipped."
    assert outbox(REFUNDED) == []
