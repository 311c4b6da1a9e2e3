"""A 5xx after the service committed keeps the key: a retry replays, never redoes."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.orders.api import idempotency, views
from apps.orders.gateway import TestGateway
from apps.orders.models import IdempotencyRecord, Order, Payment
from apps.orders.services.idempotency import IN_FLIGHT_TIMEOUT
from tests.orders.cart_helpers import CHECKOUT, add, checkout_body, method
from tests.orders.helpers import WIDGET_ID, place

pytestmark = pytest.mark.django_db


def test_a_5xx_after_the_order_was_committed_replays_that_order(
    customer_client, catalog, monkeypatch
):
    real_render = views._created

    def broken_render(order):
        raise RuntimeError("rendering failed after the commit")

    monkeypatch.setattr(views, "_created", broken_render)
    customer_client.raise_request_exception = False
    failed = place(customer_client, key="checkout-1")
    monkeypatch.setattr(views, "_created", real_render)

    retried = place(customer_client, key="checkout-1")

    assert failed.status_code == 500
    [order] = Order.objects.all()
    assert retried.status_code == 201
    assert retried["Idempotent-Replayed"] == "true"
    assert retried.json()["id"] == str(order.id)
    assert retried["Location"] == f"/api/v1/orders/{order.id}/"
    assert IdempotencyRecord.objects.get().state == "completed"


def test_a_5xx_after_the_payment_was_recorded_replays_the_paid_order(
    confirmed_order, customer_client, monkeypatch
):
    real_get = views.selectors.order_get

    def broken_get(**kwargs):
        raise RuntimeError("rendering failed after the commit")

    monkeypatch.setattr(views.selectors, "order_get", broken_get)
    customer_client.raise_request_exception = False
    failed = pay(customer_client, confirmed_order, "pay-1")
    monkeypatch.setattr(views.selectors, "order_get", real_get)

    retried = pay(customer_client, confirmed_order, "pay-1")

    assert failed.status_code == 500
    assert retried.status_code == 200
    assert retried["Idempotent-Replayed"] == "true"
    assert retried.json()["status"] == "paid"
    assert TestGateway.captures() == 1
    assert Payment.objects.get().status == "captured"


class Crash(BaseException):
    """The process dying: no handler of the view runs."""


def crash_before_the_answer_is_stored(monkeypatch, send_request) -> None:
    """`send_request()` dies (as its process would) after the service
    committed and before the answer was stored on the claim."""

    def die(**kwargs):
        raise Crash

    monkeypatch.setattr(idempotency, "idempotency_complete", die)
    with pytest.raises(Crash):
        send_request()
    monkeypatch.undo()


def age_past_in_flight(claim: IdempotencyRecord) -> None:
    """Make `claim` look abandoned: older than the in-flight timeout."""
    claim.created_at -= IN_FLIGHT_TIMEOUT + dt.timedelta(seconds=1)
    claim.save(update_fields=["created_at"])


def test_a_crash_before_the_answer_was_stored_replays_the_order_once_taken_over(
    customer_client, catalog, monkeypatch
):
    crash_before_the_answer_is_stored(
        monkeypatch, lambda: place(customer_client, key="checkout-crash")
    )
    [order] = Order.objects.all()
    claim = IdempotencyRecord.objects.get()

    while_fresh = place(customer_client, key="checkout-crash")
    age_past_in_flight(claim)
    taken_over = place(customer_client, key="checkout-crash")

    assert claim.state == "in_flight"
    assert while_fresh.status_code == 409
    assert taken_over.status_code == 201
    assert taken_over["Idempotent-Replayed"] == "true"
    assert taken_over.json()["id"] == str(order.id)
    assert Order.objects.count() == 1


def test_a_crash_before_a_checkouts_answer_was_stored_replays_its_order(
    customer_client, catalog, monkeypatch
):
    standard = method()
    add(customer_client, WIDGET_ID, 2)

    def check_out():
        return customer_client.post(
            CHECKOUT,
            checkout_body(standard.id),
            format="json",
            HTTP_IDEMPOTENCY_KEY="cart-crash",
        )

    crash_before_the_answer_is_stored(monkeypatch, check_out)
    [order] = Order.objects.all()
    age_past_in_flight(IdempotencyRecord.objects.get())

    taken_over = check_out()

    # The claim noted the order in its transaction; the emptied cart is not
    # checked out again.
    assert taken_over.status_code == 201, taken_over.json()
    assert taken_over["Idempotent-Replayed"] == "true"
    assert taken_over.json()["id"] == str(order.id)
    assert Order.objects.count() == 1


def taken_over_while_running(monkeypatch, service: str, user, key: str) -> None:
    """While `views.<service>` runs (a request stalled past the in-flight
    timeout), a retry with the same key takes the claim over: a new record,
    in its own transaction."""
    real = getattr(views, service)

    def stalled_then_taken_over(**kwargs):
        IdempotencyRecord.objects.filter(key=key).delete()
        IdempotencyRecord.objects.create(
            user_id=user.id,
            key=key,
            fingerprint="0" * 64,
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        return real(**kwargs)

    monkeypatch.setattr(views, service, stalled_then_taken_over)


def pay(client, order, key: str):
    return client.post(
        f"/api/v1/orders/{order.id}/pay/",
        {"payment_token": "tok_success"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_placement_whose_claim_was_taken_over_meanwhile_rolls_back(
    customer, customer_client, catalog, monkeypatch
):
    taken_over_while_running(monkeypatch, "order_place", customer, "checkout-stalled")

    late = place(customer_client, key="checkout-stalled")

    assert late.status_code == 409
    assert late.json()["detail"] == (
        "This Idempotency-Key was taken over by a newer request."
    )
    assert Order.objects.count() == 0
    assert IdempotencyRecord.objects.get().state == "in_flight"  # the retry's


def test_a_5xx_after_the_order_was_noted_keeps_the_order_as_the_answer(
    customer_client, catalog, monkeypatch
):
    def fails_after_commit(**kwargs):
        order = real_place(**kwargs)
        raise RuntimeError(f"after-commit failure for {order.id}")

    real_place = views.order_place
    monkeypatch.setattr(views, "order_place", fails_after_commit)
    customer_client.raise_request_exception = False
    failed = place(customer_client, key="checkout-after")
    monkeypatch.undo()

    retried = place(customer_client, key="checkout-after")

    assert failed.status_code == 500
    [order] = Order.objects.all()
    assert retried.status_code == 201
    assert retried["Idempotent-Replayed"] == "true"
    assert retried.json()["id"] == str(order.id)


def test_a_crash_after_the_capture_was_recorded_replays_the_paid_order(
    confirmed_order, customer_client, monkeypatch
):
    crash_before_the_answer_is_stored(
        monkeypatch, lambda: pay(customer_client, confirmed_order, "pay-crash")
    )
    age_past_in_flight(IdempotencyRecord.objects.get())

    taken_over = pay(customer_client, confirmed_order, "pay-crash")

    assert taken_over.status_code == 200, taken_over.json()
    assert taken_over["Idempotent-Replayed"] == "true"
    assert taken_over.json()["status"] == "paid"
    assert TestGateway.captures() == 1
    assert Payment.objects.get().status == "captured"


def test_a_capture_recorded_after_its_claim_was_taken_over_is_kept(
    confirmed_order, customer, customer_client, monkeypatch
):
    taken_over_while_running(monkeypatch, "order_pay", customer, "pay-stalled")

    late = pay(customer_client, confirmed_order, "pay-stalled")

    # The gateway captured: the record stands, whatever the key's fate.
    assert late.status_code == 200
    assert Order.objects.get().status == "paid"
    assert Payment.objects.get().status == "captured"
    assert TestGateway.captures() == 1
    successor = IdempotencyRecord.objects.get()
    assert (successor.state, successor.response_body) == ("in_flight", None)
