"""Writing events to the outbox and handing them to their consumers.

`publish` only writes a row in the caller's transaction. After commit the row
is dispatched: to Celery (one message per subscribing app, on that app's
queue) or, with no broker configured, to the handlers in-process. Whatever is
still unsent (broker down, crash) is picked up by `relay_once`.
"""

import datetime as dt
import logging
import threading
from collections import deque
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from apps.common import context, tracing
from apps.common.breaker import CircuitOpen
from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.delivery import broker_breaker, hand_over, keep, kept_here
from apps.eventbus.envelope import Envelope
from apps.eventbus.models import OutboxEvent
from apps.eventbus.schema import Event

logger = logging.getLogger(__name__)


def publish(event: Event) -> OutboxEvent:
    """Record `event` in the publisher's outbox, in the current transaction."""
    return publish_many([event])[0]


def publish_many(events: Sequence[Event]) -> list[OutboxEvent]:
    """Record events of one producer in its outbox with a single INSERT, in
    order, in the current transaction (one round trip instead of one each)."""
    if not events:
        return []
    first = outbox_row(events[0])
    rows = [first, *(outbox_row(event, like=first) for event in events[1:])]
    alias = alias_for(first.producer)
    if any(row.producer != first.producer for row in rows):
        raise ValueError("publish_many takes the events of one producer")
    rows = OutboxEvent.objects.using(alias).bulk_create(rows)
    dispatch_on_commit(alias, rows)
    return rows


def outbox_row(event: Event, *, like: OutboxEvent | None = None) -> OutboxEvent:
    """The unsaved outbox row of `event`: the envelope (time, correlation,
    causation, trace) of `like`, or of the current context."""
    return OutboxEvent(
        event_type=event.event_type,
        version=event.major_version(),
        producer=event.producer_app(),
        occurred_at=like.occurred_at if like else timezone.now(),
        correlation_id=(
            like.correlation_id
            if like
            else context.correlation_id.get() or context.new_id()
        ),
        causation_id=(like.causation_id if like else context.causation_id.get() or ""),
        payload=event.to_payload(),
        trace_context=like.trace_context if like else tracing.current_trace_context(),
    )


def dispatch_on_commit(alias: str, rows: Sequence[OutboxEvent]) -> None:
    """Hand `rows`, written in the current transaction on `alias`, on after
    its commit, in this order."""
    rows = list(rows)
    transaction.on_commit(lambda: dispatch_after_commit(alias, rows), using=alias)


def envelope_of(row: OutboxEvent) -> Envelope:
    return Envelope(
        event_id=str(row.event_id),
        event_type=row.event_type,
        version=row.version,
        occurred_at=row.occurred_at.isoformat(),
        producer=row.producer,
        correlation_id=row.correlation_id,
        causation_id=row.causation_id,
        payload=row.payload,
        trace_context=row.trace_context or {},
    )


# --- dispatch ----------------------------------------------------------------

_local = threading.local()


def dispatch_after_commit(alias: str, rows: list[OutboxEvent]) -> None:
    """Hand committed rows on, in order; never raises into the request that
    published, and never waits long for a broker that is down (the relay sends
    the rest later).

    With Celery the committed rows are sent straight from memory (or, in a
    consume task, kept for the consumers this worker serves: `continuing`) and
    then marked sent by one UPDATE that takes no lock beyond its rows and, on
    PostgreSQL, does not wait for the WAL flush (`_mark_sent_without_flush`).
    The relay leaves rows younger than EVENTS_RELAY_GRACE_SECONDS alone so it
    does not race this; if it ever does, the consumer's inbox absorbs the
    duplicate.
    """
    if settings.EVENTS_DELIVERY == "inprocess":
        try:
            for row in rows:
                _deliver_inprocess_in_order(alias, row.pk)
        except Exception:  # noqa: BLE001 - e.g. database locked: the relay retries
            logger.warning("outbox rows left for the relay", exc_info=True)
        return
    routes = [_route(row) for row in rows]
    sent: list[int] = []
    try:
        with ExitStack() as guarded:
            if any(route.remote for route in routes):
                guarded.enter_context(broker_breaker().guard())
            for route in routes:
                if route.remote:
                    hand_over(route.envelope, route.remote)
                if route.here:
                    mark = partial(_mark_sent_quietly, alias, [route.row_id])
                    keep(route.envelope, route.here, then=mark)
                else:
                    sent.append(route.row_id)
    except CircuitOpen:
        logger.info("broker circuit open: outbox rows left for the relay")
    except Exception:  # noqa: BLE001 - the relay retries; the request must not fail
        logger.warning("outbox rows after %s left for the relay", sent, exc_info=True)
    if sent:
        _mark_sent_quietly(alias, sent)


@dataclass(frozen=True)
class _Route:
    row_id: int
    envelope: Envelope
    here: list[str]  # applied by this worker's task after its own event
    remote: list[str]  # sent through the broker now


def _route(row: OutboxEvent) -> _Route:
    envelope = envelope_of(row)
    consumers = registry.consumers_of(row.event_type)
    here = kept_here(row.event_type, consumers)
    remote = [c for c in consumers if c not in here]
    return _Route(row.pk, envelope, here, remote)


def _mark_sent_quietly(alias: str, row_ids: list[int]) -> None:
    try:
        _mark_sent_without_flush(alias, row_ids)
    except Exception:  # noqa: BLE001 - the relay sends them again; inboxes dedupe
        logger.warning("outbox rows %s sent but not marked", row_ids, exc_info=True)


def _mark_sent_without_flush(alias: str, row_ids: list[int]) -> None:
    # Losing this mark in a crash only means the relay sends the rows again,
    # which the consumers' inboxes absorb; so on PostgreSQL the commit need
    # not wait for the WAL flush. Outside a transaction that is one statement
    # (_MARK_SENT_SQL): one round trip, its own implicit transaction, which
    # PostgreSQL rolls back by itself if it fails.
    connection = connections[alias]
    if _one_round_trip_possible(connection):
        with connection.cursor() as cursor:
            cursor.execute(_MARK_SENT_SQL, [row_ids])
        return
    with transaction.atomic(using=alias):
        OutboxEvent.objects.using(alias).filter(
            pk__in=row_ids, sent_at__isnull=True
        ).update(sent_at=timezone.now())


def _one_round_trip_possible(connection) -> bool:
    return (
        connection.vendor == "postgresql"
        and connection.get_autocommit()
        and not connection.in_atomic_block
    )


# set_config(..., true) is SET LOCAL as an expression: it lasts until the end
# of the statement's own transaction, whose commit it governs. One statement,
# so it also runs with server-side binding (which refuses several).
_MARK_SENT_SQL = f"""
UPDATE {OutboxEvent._meta.db_table} SET sent_at = now()
  FROM (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait
 WHERE id = ANY(%s) AND sent_at IS NULL
"""


def _deliver_inprocess_in_order(alias: str, row_id: int) -> None:
    # Events published by handlers join the queue instead of recursing, so
    # delivery follows publication order.
    pending = getattr(_local, "pending", None)
    if pending is not None:
        pending.append((alias, row_id))
        return
    _local.pending = deque([(alias, row_id)])
    try:
        while _local.pending:
            queued_alias, queued_id = _local.pending.popleft()
            send_rows(queued_alias, [queued_id])
    finally:
        _local.pending = None


def send_rows(
    alias: str,
    row_ids: list[int] | None = None,
    *,
    limit: int | None = None,
    created_before: dt.datetime | None = None,
    producer: str | None = None,
) -> int:
    """Send unsent rows (the given ones, or the oldest `limit`), each once.

    Rows are locked with SKIP LOCKED so concurrent relays never send the same
    row; a row is marked sent only after its messages were accepted. If the
    hand-over fails midway, the rows handed over so far are still marked sent
    and the error is raised; the rest stay for the next relay.
    """
    done: list[int] = []
    failure: Exception | None = None
    with transaction.atomic(using=alias):
        rows = (
            OutboxEvent.objects.using(alias).filter(sent_at__isnull=True).order_by("id")
        )
        if row_ids is not None:
            rows = rows.filter(pk__in=row_ids)
        if created_before is not None:
            rows = rows.filter(created_at__lt=created_before)
        if producer is not None:
            rows = rows.filter(producer=producer)
        rows = rows.select_for_update(skip_locked=True)
        if limit is not None:
            rows = rows[:limit]
        for row in rows:
            try:
                hand_over(envelope_of(row))
            except Exception as exc:  # noqa: BLE001 - re-raised after the commit
                failure = exc
                break
            done.append(row.pk)
        if done:
            OutboxEvent.objects.using(alias).filter(pk__in=done).update(
                sent_at=timezone.now()
            )
    if failure is not None:
        raise failure
    return len(done)


def _aliases(producer: str | None = None) -> list[str]:
    return [alias_for(producer)] if producer else list(settings.DATABASES)


def relay_once(
    *,
    batch_size: int | None = None,
    grace_seconds: float | None = None,
    producer: str | None = None,
) -> int:
    """Send every unsent row of every database (or only `producer`'s rows),
    oldest first, in batches.

    With Celery, rows younger than the grace period (default
    EVENTS_RELAY_GRACE_SECONDS) are left to their after-commit dispatch."""
    batch_size = batch_size or settings.EVENTS_RELAY_BATCH_SIZE
    if grace_seconds is None:
        celery = settings.EVENTS_DELIVERY == "celery"
        grace_seconds = settings.EVENTS_RELAY_GRACE_SECONDS if celery else 0.0
    created_before = (
        timezone.now() - dt.timedelta(seconds=grace_seconds) if grace_seconds else None
    )
    total = 0
    for alias in _aliases(producer):
        while True:
            sent = send_rows(
                alias,
                limit=batch_size,
                created_before=created_before,
                producer=producer,
            )
            total += sent
            if sent < batch_size:
                break
    if total:
        broker_breaker().record_success()
    return total


def prune_sent(
    *, older_than_days: int | None = None, producer: str | None = None
) -> int:
    """Delete rows sent more than the retention period ago; unsent rows stay."""
    days = (
        settings.EVENTS_RETENTION_DAYS if older_than_days is None else older_than_days
    )
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted = 0
    for alias in _aliases(producer):
        rows = OutboxEvent.objects.using(alias).filter(
            sent_at__isnull=False, sent_at__lt=cutoff
        )
        if producer is not None:
            rows = rows.filter(producer=producer)
        count, _ = rows.delete()
        deleted += count
    return deleted


def replay(
    *,
    since: dt.datetime | None = None,
    event_type: str | None = None,
    event_id: str | None = None,
) -> int:
    """Hand matching outbox rows (sent or not) to their consumers again, oldest
    first. Consumers are idempotent, so already applied events stay no-ops."""
    replayed = 0
    for alias in _aliases():
        rows = OutboxEvent.objects.using(alias).order_by("id")
        if since is not None:
            rows = rows.filter(created_at__gte=since)
        if event_type is not None:
            rows = rows.filter(event_type=event_type)
        if event_id is not None:
            rows = rows.filter(event_id=event_id)
        for row in rows.iterator():
            hand_over(envelope_of(row))
            replayed += 1
    return replayed
