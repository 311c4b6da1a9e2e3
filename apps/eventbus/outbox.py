"""Writing events to the outbox and handing them to their consumers.

`publish` only writes a row in the caller's transaction. After commit the row
is dispatched: to Celery (one message per subscribing app, on that app's
queue) or, with no broker configured, to the handlers in-process. Whatever is
still unsent (broker down, crash) is picked up by `relay_once`.
"""

import logging
import threading
from collections import deque

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.common import context, tracing
from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.consumer import consume_inprocess
from apps.eventbus.delivery import enqueue
from apps.eventbus.envelope import Envelope
from apps.eventbus.models import OutboxEvent
from apps.eventbus.schema import Event

logger = logging.getLogger(__name__)


def publish(event: Event) -> OutboxEvent:
    """Record `event` in the publisher's outbox, in the current transaction."""
    producer = event.producer_app()
    alias = alias_for(producer)
    row = OutboxEvent.objects.using(alias).create(
        event_type=event.event_type,
        version=event.major_version(),
        producer=producer,
        occurred_at=timezone.now(),
        correlation_id=context.correlation_id.get() or context.new_id(),
        causation_id=context.causation_id.get() or "",
        payload=event.to_payload(),
        trace_context=tracing.current_trace_context(),
    )
    transaction.on_commit(lambda: dispatch_after_commit(alias, row.pk), using=alias)
    return row


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


def dispatch_after_commit(alias: str, row_id: int) -> None:
    """Hand one committed row on; never raises into the request that published."""
    if settings.EVENTS_DELIVERY == "inprocess":
        _deliver_inprocess_in_order(alias, row_id)
        return
    try:
        send_rows(alias, [row_id])
    except Exception:  # noqa: BLE001 - the relay retries; the request must not fail
        logger.warning("outbox row %s left for the relay", row_id, exc_info=True)


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
    alias: str, row_ids: list[int] | None = None, *, limit: int | None = None
) -> int:
    """Send unsent rows (the given ones, or the oldest `limit`), each once.

    Rows are locked with SKIP LOCKED so concurrent relays never send the same
    row; a row is marked sent only after its messages were accepted.
    """
    sent = 0
    with transaction.atomic(using=alias):
        rows = (
            OutboxEvent.objects.using(alias).filter(sent_at__isnull=True).order_by("id")
        )
        if row_ids is not None:
            rows = rows.filter(pk__in=row_ids)
        rows = rows.select_for_update(skip_locked=True)
        if limit is not None:
            rows = rows[:limit]
        for row in rows:
            _hand_over(row)
            OutboxEvent.objects.using(alias).filter(pk=row.pk).update(
                sent_at=timezone.now()
            )
            sent += 1
    return sent


def _hand_over(row: OutboxEvent) -> None:
    envelope = envelope_of(row)
    for consumer in registry.consumers_of(row.event_type):
        if settings.EVENTS_DELIVERY == "inprocess":
            consume_inprocess(consumer, envelope)
        else:
            enqueue(consumer, envelope)


def relay_once(*, batch_size: int | None = None) -> int:
    """Send every unsent row of every database, oldest first, in batches."""
    batch_size = batch_size or settings.EVENTS_RELAY_BATCH_SIZE
    total = 0
    for alias in settings.DATABASES:
        while True:
            sent = send_rows(alias, limit=batch_size)
            total += sent
            if sent < batch_size:
                break
    return total


def prune_sent(*, older_than_days: int | None = None) -> int:
    days = (
        settings.EVENTS_RETENTION_DAYS if older_than_days is None else older_than_days
    )
    cutoff = timezone.now() - timezone.timedelta(days=days)
    deleted = 0
    for alias in settings.DATABASES:
        count, _ = (
            OutboxEvent.objects.using(alias)
            .filter(sent_at__isnull=False, sent_at__lt=cutoff)
            .delete()
        )
        deleted += count
    return deleted
