import datetime as dt
import threading
import uuid

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connections
from django.utils import timezone

from apps.common.errors import ServiceUnavailable
from apps.orders.errors import IdempotencyKeyInFlight
from apps.orders.models import IdempotencyRecord, Order, Payment
from apps.orders.services import idempotency
from apps.orders.services.idempotency import (
    Claim,
    StoredResponse,
    idempotency_begin,
    idempotency_complete,
    idempotency_release,
    request_fingerprint,
)
from tests.conftest import client_for
from tests.orders.helpers import GADGET_ID, WIDGET_ID, place

pytestmark = pytest.mark.django_db


def test_same_key_and_body_replays_the_stored_response(customer_client, catalog):
    first = place(customer_client, key="checkout-1")

    second = place(customer_client, key="checkout-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert Order.objects.count() == 1


def test_same_key_with_another_body_is_422(customer_client, catalog):
    place(customer_client, key="checkout-1")

    other = place(
        customer_client,
        [{"product_id": str(GADGET_ID), "quantity": 1}],
        key="checkout-1",
    )

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_same_key_in_flight_is_409(customer, customer_client, catalog):
    request_body = place.__globals__["body"]()
    idempotency_begin(
        user_id=customer.id,
        key="checkout-1",
        fingerprint=request_fingerprint(
            method="POST", path="/api/v1/orders/", body=request_body
        ),
    )

    response = place(customer_client, key="checkout-1")

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_flight"
    assert Order.objects.count() == 0


def test_keys_are_scoped_to_the_user(customer_client, other_client, catalog):
    mine = place(customer_client, key="checkout-1")
    theirs = place(other_client, key="checkout-1")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert Order.objects.count() == 2


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\tkey"])
def test_malformed_key_is_400(customer_client, catalog, key):
    response = place(customer_client, key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert Order.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_a_key_of_255_characters_is_accepted(customer_client, catalog):
    assert place(customer_client, key="k" * 255).status_code == 201


def test_a_5xx_is_not_stored_so_a_retry_can_succeed(
    customer_client, catalog, monkeypatch
):
    from apps.orders.api import views

    real_place = views.order_place

    def unavailable(**kwargs):
        raise ServiceUnavailable("catalog down")

    monkeypatch.setattr(views, "order_place", unavailable)
    failed = place(customer_client, key="checkout-1")
    monkeypatch.setattr(views, "order_place", real_place)

    retried = place(customer_client, key="checkout-1")

    assert failed.status_code == 503
    assert retried.status_code == 201
    assert not retried.has_header("Idempotent-Replayed")
    assert Order.objects.count() == 1


def test_a_4xx_is_stored_and_replayed(customer_client, catalog):
    first = place(
        customer_client, [{"product_id": str(WIDGET_ID), "quantity": 0}], key="k"
    )

    second = place(
        customer_client, [{"product_id": str(WIDGET_ID), "quantity": 0}], key="k"
    )

    assert first.status_code == second.status_code == 400
    assert second["Content-Type"] == "application/problem+json"
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()


def test_declined_payment_is_replayed_not_charged_again(
    confirmed_order, customer_client
):
    def pay():
        return customer_client.post(
            f"/api/v1/orders/{confirmed_order.id}/pay/",
            {"payment_token": "tok_declined"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="pay-1",
        )

    first, second = pay(), pay()

    assert first.status_code == second.status_code == 402
    assert second["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1


def test_keys_expire_after_24_hours_and_are_pruned(customer_client, catalog):
    first = place(customer_client, key="checkout-1")
    IdempotencyRecord.objects.update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    again = place(customer_client, key="checkout-1")

    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    assert Order.objects.count() == 2
    record = IdempotencyRecord.objects.get()
    assert record.expires_at - record.created_at == dt.timedelta(hours=24)


def test_idempotency_prune_deletes_only_expired_records(
    customer_client, catalog, capsys
):
    place(customer_client, key="old")
    place(customer_client, key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    call_command("idempotency_prune")

    assert "deleted 1 expired" in capsys.readouterr().out
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_an_abandoned_in_flight_claim_is_taken_over(customer, customer_client, catalog):
    idempotency_begin(
        user_id=customer.id,
        key="checkout-1",
        fingerprint=request_fingerprint(
            method="POST", path="/api/v1/orders/", body=place.__globals__["body"]()
        ),
    )
    IdempotencyRecord.objects.update(
        created_at=timezone.now()
        - idempotency.IN_FLIGHT_TIMEOUT
        - dt.timedelta(seconds=1)
    )

    response = place(customer_client, key="checkout-1")

    assert response.status_code == 201
    assert Order.objects.count() == 1


def test_a_claim_noted_while_being_taken_over_is_kept(customer, monkeypatch):
    stale = timezone.now() - idempotency.IN_FLIGHT_TIMEOUT - dt.timedelta(seconds=1)
    idempotency_begin(user_id=customer.id, key="slow-1", fingerprint="f" * 64)
    IdempotencyRecord.objects.update(created_at=stale)
    order_id = "3f0c5c9e-8f1e-4b8a-9a55-0d4d2b6a0c11"
    seen_abandoned = idempotency._abandoned

    def noted_right_after_the_read(record):
        # The slow request commits its work between our read and our delete.
        monkeypatch.setattr(idempotency, "_abandoned", seen_abandoned)
        IdempotencyRecord.objects.update(response_body={"order_id": order_id})
        return seen_abandoned(record)

    monkeypatch.setattr(idempotency, "_abandoned", noted_right_after_the_read)

    answer = idempotency_begin(user_id=customer.id, key="slow-1", fingerprint="f" * 64)

    assert answer.order_id == order_id  # that order is rendered, not redone
    assert IdempotencyRecord.objects.get().response_body == {"order_id": order_id}


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_requests_with_one_key_make_one_order(customer, catalog):
    barrier = threading.Barrier(20, timeout=30)
    results: list = []

    def shopper():
        client = client_for(customer)
        try:
            barrier.wait()
            response = place(client, key="one-key")
            results.append((response.status_code, response.json().get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=shopper) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _ in results)
    assert len(results) == 20
    assert all(status in (201, 409) for status in statuses), statuses
    assert 201 in statuses
    assert Order.objects.count() == 1
    created_ids = {order_id for status, order_id in results if status == 201}
    assert created_ids == {str(Order.objects.get().pk)}


def test_a_key_freed_on_every_try_is_409_never_a_request_without_a_claim(
    customer, monkeypatch
):
    def taken_then_gone(**fields):
        raise IntegrityError("duplicate key value")  # and no row when looked up

    monkeypatch.setattr(IdempotencyRecord.objects, "create", taken_then_gone)

    with pytest.raises(IdempotencyKeyInFlight):
        idempotency_begin(user_id=customer.id, key="k-1", fingerprint="f" * 64)


def test_a_late_release_of_a_completed_claim_keeps_its_answer(customer):
    answer = StoredResponse(status=201, body={"id": "o-1"}, headers={"Location": "/o"})
    claim = idempotency_begin(user_id=customer.id, key="k-1", fingerprint="f" * 64)
    idempotency_complete(claim=claim, response=answer)

    idempotency_release(claim=claim)

    replay = idempotency_begin(user_id=customer.id, key="k-1", fingerprint="f" * 64)
    assert replay == answer


def test_an_answer_that_names_an_order_is_replayed_as_that_order(customer):
    claim = idempotency_begin(user_id=customer.id, key="k-1", fingerprint="f" * 64)
    reference = StoredResponse(status=None, body=None, headers={}, order_id="o-1")

    idempotency_complete(claim=claim, response=reference)

    replay = idempotency_begin(user_id=customer.id, key="k-1", fingerprint="f" * 64)
    assert replay == reference
    assert IdempotencyRecord.objects.get().response_body == {"order_id": "o-1"}


def test_taking_over_a_claim_leaves_the_claims_of_others_made_that_moment(db):
    stale = timezone.now() - idempotency.IN_FLIGHT_TIMEOUT - dt.timedelta(seconds=1)
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    for user_id in (mine, theirs):
        idempotency_begin(user_id=user_id, key="k-1", fingerprint="f" * 64)
    IdempotencyRecord.objects.update(created_at=stale)

    claim = idempotency_begin(user_id=mine, key="k-1", fingerprint="f" * 64)

    assert isinstance(claim, Claim)
    assert IdempotencyRecord.objects.filter(user_id=theirs, created_at=stale).exists()


def test_completing_a_claim_leaves_another_users_claim_of_that_key_and_moment(db):
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    claim = idempotency_begin(user_id=mine, key="k-1", fingerprint="f" * 64)
    idempotency_begin(user_id=theirs, key="k-1", fingerprint="f" * 64)
    IdempotencyRecord.objects.update(created_at=claim.claimed_at)

    idempotency_complete(
        claim=claim, response=StoredResponse(status=201, body={}, headers={})
    )

    assert IdempotencyRecord.objects.get(user_id=theirs).state == "in_flight"
