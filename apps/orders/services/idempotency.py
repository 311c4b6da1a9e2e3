"""Idempotency-Key records (IETF draft "The Idempotency-Key HTTP Header Field").

`idempotency_begin` claims a key by inserting a row; the unique constraint on
(user_id, key) decides which of several simultaneous requests runs. The others
see the winner's row: still in flight (409), done (replay), or made with a
different request (422). Responses below 500 are stored; a 5xx before the
service committed releases the key so that a retry can succeed. Once the
service committed, the key is never released: if the answer could not be
rendered, the record keeps a reference to the order instead, and a retry
renders that order (it never redoes the work). A placement, and a payment
once the capture is recorded, write that reference in their own transaction
(`idempotency_note_work`), so even a process that dies between that commit
and storing the answer leaves a claim that a retry renders, once it is old
enough to be taken over, instead of placing or charging again.
"""

import datetime as dt
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from apps.common.db import atomic_for
from apps.orders.errors import IdempotencyKeyInFlight, IdempotencyKeyReused
from apps.orders.models import IdempotencyRecord

logger = logging.getLogger(__name__)

State = IdempotencyRecord.State


@dataclass(frozen=True)
class StoredResponse:
    status: int | None
    body: dict | list | None
    headers: dict
    # Set instead of a status and body when the work committed but its answer
    # was lost: the order to render again.
    order_id: str | None = None


# A stored reference: no status, the body {"order_id": ...}.
REFERENCE = "order_id"


@dataclass(frozen=True)
class Claim:
    """The in-flight key of the request being run. `claimed_at` tells its
    record from a successor's for the same key (a takeover after a stall), so
    a late request can never touch the record of the request that took over."""

    user_id: uuid.UUID
    key: str
    claimed_at: dt.datetime


def _stored_response(record: IdempotencyRecord) -> StoredResponse:
    if record.response_status is None:
        return StoredResponse(
            status=None, body=None, headers={}, order_id=record.response_body[REFERENCE]
        )
    return StoredResponse(
        status=record.response_status,
        body=record.response_body,
        headers=record.response_headers,
    )


def request_fingerprint(*, method: str, path: str, body) -> str:
    canonical = json.dumps(
        [method.upper(), path, body], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


# An in-flight claim older than this belongs to a process that died.
IN_FLIGHT_TIMEOUT = dt.timedelta(minutes=5)


def _stale_claim(record: IdempotencyRecord) -> bool:
    return (
        record.state == State.IN_FLIGHT
        and record.created_at < timezone.now() - IN_FLIGHT_TIMEOUT
    )


def _abandoned(record: IdempotencyRecord) -> bool:
    """Expired, or claimed by a process that died before its work committed."""
    if record.expires_at <= timezone.now():
        return True
    return _stale_claim(record) and record.response_body is None


def _delete_abandoned(record: IdempotencyRecord) -> None:
    """Delete `record` only as it was read: a claim whose work was noted
    meanwhile (its request was only slow, not dead) must stay, or a retry
    would do that work a second time."""
    unchanged = IdempotencyRecord.objects.filter(
        pk=record.pk, state=record.state, created_at=record.created_at
    )
    if record.expires_at > timezone.now():  # taken over, not expired
        unchanged = unchanged.filter(response_body__isnull=True)
    unchanged.delete()


class _KeyFreed(Exception):
    """The record that held the key is gone (released, or expired and removed)."""


def idempotency_begin(
    *, user_id: uuid.UUID, key: str, fingerprint: str
) -> Claim | StoredResponse:
    """Claim `key`: returns the Claim when the caller should run the request,
    or the stored response to replay. Raises 409 (in flight) or 422 (other
    request)."""
    # A second round only after the key was found freed. The retry wraps the
    # call, not the function, so mutation testing can mutate _claim_or_replay.
    retrying = Retrying(
        retry=retry_if_exception_type(_KeyFreed),
        stop=stop_after_attempt(2),
        reraise=True,
    )
    try:
        return retrying(
            _claim_or_replay, user_id=user_id, key=key, fingerprint=fingerprint
        )
    except _KeyFreed as exc:
        raise IdempotencyKeyInFlight(
            "A request with this Idempotency-Key is still in progress."
        ) from exc


def _claim_or_replay(
    *, user_id: uuid.UUID, key: str, fingerprint: str
) -> Claim | StoredResponse:
    try:
        now = timezone.now()
        with atomic_for(IdempotencyRecord):
            record = IdempotencyRecord.objects.create(
                user_id=user_id,
                key=key,
                fingerprint=fingerprint,
                created_at=now,
                expires_at=now + _ttl(),
            )
        return Claim(user_id=user_id, key=key, claimed_at=record.created_at)
    except IntegrityError:
        record = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
    if record is None:
        raise _KeyFreed  # released in the meantime: claim it again
    if _abandoned(record):
        _delete_abandoned(record)
        raise _KeyFreed
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request."
        )
    if record.state == State.IN_FLIGHT and not _stale_claim(record):
        raise IdempotencyKeyInFlight(
            "A request with this Idempotency-Key is still in progress."
        )
    return _stored_response(record)


def idempotency_note_work(
    claim: Claim, order_id: uuid.UUID, *, undo_if_taken_over: bool = True
) -> None:
    """Inside the transaction that commits the work: remember its order, so a
    crash before the answer is stored leaves a reference, never a claim that
    a retry would run again. A claim taken over meanwhile (this request
    stalled past IN_FLIGHT_TIMEOUT) raises 409, rolling the work back; work
    that cannot be undone (a capture the gateway made) is kept unnoted, and
    the request that took over finds the order as it is."""
    noted = _claimed(claim).update(response_body={REFERENCE: str(order_id)})
    if noted:
        return
    if undo_if_taken_over:
        raise IdempotencyKeyInFlight(
            "This Idempotency-Key was taken over by a newer request."
        )
    logger.warning(
        "Idempotency-Key claim taken over while order %s was being committed; "
        "kept without a note",
        order_id,
    )


def idempotency_complete(*, claim: Claim, response: StoredResponse) -> None:
    """Store the answer. An error answer never replaces the note of work that
    committed: such a claim keeps its order reference as its answer."""
    body = response.body
    if response.order_id is not None:
        body = {REFERENCE: response.order_id}
    records = _claimed(claim)
    with atomic_for(IdempotencyRecord):
        if response.status is not None and response.status >= 400:
            _keep_noted_reference(records)
            records = records.filter(response_body__isnull=True)
        records.update(
            state=State.COMPLETED,
            response_status=response.status,
            response_body=body,
            response_headers=response.headers,
        )


def idempotency_release(*, claim: Claim) -> None:
    """Forget a claim whose work committed nothing (the request ended in a 5xx
    or crashed before); one with a noted order keeps it as its answer."""
    records = _claimed(claim)
    with atomic_for(IdempotencyRecord):
        _keep_noted_reference(records)
        records.filter(response_body__isnull=True).delete()


def _claimed(claim: Claim):
    return IdempotencyRecord.objects.filter(
        user_id=claim.user_id,
        key=claim.key,
        created_at=claim.claimed_at,
        state=State.IN_FLIGHT,
    )


def _keep_noted_reference(records) -> None:
    records.filter(response_body__isnull=False).update(
        state=State.COMPLETED, response_status=None
    )


def idempotency_prune(*, now: dt.datetime | None = None) -> int:
    with atomic_for(IdempotencyRecord):
        deleted, _ = IdempotencyRecord.objects.filter(
            expires_at__lte=now or timezone.now()
        ).delete()
    return deleted
