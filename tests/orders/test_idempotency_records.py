"""Idempotency records at their edges: the exact expiry and stall instants, a
stored fingerprint across deploys, lookups scoped to (user, key), and what a
refused claim costs. The HTTP behaviour is in tests/orders/api/test_idempotency.py."""

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError

from apps.orders.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from apps.orders.models import IdempotencyRecord
from apps.orders.services import idempotency
from apps.orders.services.idempotency import (
    Claim,
    StoredResponse,
    idempotency_begin,
    idempotency_complete,
    idempotency_note_work,
    request_fingerprint,
)

pytestmark = pytest.mark.django_db

IN_FLIGHT = "A request with this Idempotency-Key is still in progress."
REUSED = "This Idempotency-Key was used with a different request."
T0 = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
ANSWER = StoredResponse(status=201, body={"id": "o-1"}, headers={"Location": "/o"})


@pytest.fixture
def clock(monkeypatch):
    """timezone.now() fixed at `clock[0]`, so an instant can be hit exactly."""
    now = [T0]
    monkeypatch.setattr(idempotency.timezone, "now", lambda: now[0])
    return now


@pytest.fixture
def attempts(monkeypatch):
    """How many times the claim was tried."""
    tried = []
    real = idempotency._claim_or_replay

    def counted(**kwargs):
        tried.append(kwargs["key"])
        return real(**kwargs)

    monkeypatch.setattr(idempotency, "_claim_or_replay", counted)
    return tried


def begin(user_id, key="k-1", fingerprint="f" * 64):
    return idempotency_begin(user_id=user_id, key=key, fingerprint=fingerprint)


def test_a_fingerprint_stored_before_a_deploy_still_matches_after_it():
    # Records live for a day across deploys: the same request must give the
    # same fingerprint, whatever the method's case or the body's key order.
    body = {
        "shipping_address": "1 Main St",
        "items": [{"quantity": 2, "product_id": "p-1"}],
    }
    reordered = {
        "items": [{"product_id": "p-1", "quantity": 2}],
        "shipping_address": "1 Main St",
    }

    stored = request_fingerprint(method="post", path="/api/v1/orders/", body=body)

    assert stored == "49c2506f8b7b9110b9b576c4b8314fc818dcc74f6cdc99edaa372f61cac970a5"
    assert (
        request_fingerprint(method="POST", path="/api/v1/orders/", body=reordered)
        == stored
    )


def test_a_completed_key_at_the_exact_instant_it_expires_is_claimed_afresh(clock):
    user_id = uuid.uuid4()
    claim = begin(user_id)
    idempotency_complete(claim=claim, response=ANSWER)
    clock[0] = T0 + dt.timedelta(hours=24)  # expires_at, to the microsecond

    again = begin(user_id)

    assert again == Claim(user_id=user_id, key="k-1", claimed_at=clock[0])
    assert IdempotencyRecord.objects.get().state == "in_flight"


def test_a_claim_exactly_as_old_as_the_stall_limit_is_still_in_flight(clock):
    user_id = uuid.uuid4()
    begin(user_id)
    clock[0] = T0 + idempotency.IN_FLIGHT_TIMEOUT

    with pytest.raises(IdempotencyKeyInFlight) as refused:
        begin(user_id)

    assert refused.value.detail == IN_FLIGHT
    assert IdempotencyRecord.objects.get().created_at == T0

    clock[0] += dt.timedelta(microseconds=1)
    assert isinstance(begin(user_id), Claim)  # now it is taken over


def test_the_same_key_with_another_request_is_refused_by_name():
    user_id = uuid.uuid4()
    begin(user_id, fingerprint="a" * 64)

    with pytest.raises(IdempotencyKeyReused) as refused:
        begin(user_id, fingerprint="b" * 64)

    assert refused.value.detail == REUSED


def test_a_key_freed_on_every_try_is_tried_twice_then_refused_by_name(
    monkeypatch, attempts
):
    def taken_then_gone(**fields):
        raise IntegrityError("duplicate key value")  # and no row when looked up

    monkeypatch.setattr(IdempotencyRecord.objects, "create", taken_then_gone)

    with pytest.raises(IdempotencyKeyInFlight) as refused:
        begin(uuid.uuid4())

    assert refused.value.detail == IN_FLIGHT
    assert attempts == ["k-1", "k-1"]


@pytest.mark.parametrize("second", ["in flight", "reused"], ids=["in_flight", "reused"])
def test_a_refused_claim_is_tried_once(attempts, second):
    user_id = uuid.uuid4()
    begin(user_id)
    attempts.clear()

    with pytest.raises((IdempotencyKeyInFlight, IdempotencyKeyReused)):
        begin(user_id, fingerprint="f" * 64 if second == "in flight" else "b" * 64)

    assert attempts == ["k-1"]


def test_a_retry_finds_its_own_record_not_another_users_of_that_key():
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    idempotency_complete(claim=begin(theirs, fingerprint="a" * 64), response=ANSWER)
    mine_answer = StoredResponse(status=201, body={"id": "o-2"}, headers={})
    idempotency_complete(claim=begin(mine, fingerprint="b" * 64), response=mine_answer)

    assert begin(mine, fingerprint="b" * 64) == mine_answer


def test_a_retry_finds_the_record_of_its_key_not_another_key_of_the_user():
    user_id = uuid.uuid4()
    idempotency_complete(claim=begin(user_id, "k-1", "a" * 64), response=ANSWER)
    second = StoredResponse(status=201, body={"id": "o-2"}, headers={})
    idempotency_complete(claim=begin(user_id, "k-2", "b" * 64), response=second)

    assert begin(user_id, "k-2", "b" * 64) == second


def test_completing_a_claim_leaves_another_key_claimed_that_moment(clock):
    user_id = uuid.uuid4()
    claim = begin(user_id, "k-1")
    begin(user_id, "k-2")

    idempotency_complete(claim=claim, response=ANSWER)

    assert IdempotencyRecord.objects.get(key="k-2").state == "in_flight"


def test_a_400_answer_never_replaces_the_note_of_committed_work():
    user_id = uuid.uuid4()
    claim = begin(user_id)
    order_id = uuid.uuid4()
    idempotency_note_work(claim, order_id)

    idempotency_complete(
        claim=claim,
        response=StoredResponse(status=400, body={"code": "invalid"}, headers={}),
    )

    assert begin(user_id) == StoredResponse(
        status=None, body=None, headers={}, order_id=str(order_id)
    )


def test_a_stalled_claim_completed_meanwhile_is_not_deleted_as_abandoned(clock):
    user_id = uuid.uuid4()
    begin(user_id)
    clock[0] = T0 + idempotency.IN_FLIGHT_TIMEOUT + dt.timedelta(seconds=1)
    read_stalled = IdempotencyRecord.objects.get()
    # The slow request answers (an empty 204) between the read and the delete.
    IdempotencyRecord.objects.update(state="completed", response_status=204)

    idempotency._delete_abandoned(read_stalled)

    assert IdempotencyRecord.objects.get().response_status == 204
