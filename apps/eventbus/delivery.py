"""Celery delivery of events: one consume task, routed per message to the
consumer's own queue (an extracted app is just a worker on its queue)."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections

from apps.common import metrics
from apps.eventbus.consumer import PermanentFailure, apply_event, dead_letter
from apps.eventbus.envelope import Envelope

logger = logging.getLogger(__name__)
CONSUME_TASK = "eventbus.consume"


def enqueue(consumer: str, envelope: Envelope) -> None:
    """Send one message to `consumer`'s queue; fails fast if the broker is away."""
    consume.apply_async(
        args=[consumer, envelope.to_dict()],
        queue=consumer,
        retry=False,
    )


def backoff_seconds(retries: int) -> float:
    return min(2**retries, 300)


@shared_task(name=CONSUME_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
def consume(self, consumer: str, envelope_data: dict) -> None:
    close_old_connections()  # a restarted PostgreSQL must not poison the worker
    envelope = Envelope.from_dict(envelope_data)
    attempt = self.request.retries + 1
    try:
        apply_event(consumer, envelope)
    except PermanentFailure as exc:
        dead_letter(consumer, envelope, exc, attempt)
    except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered
        if attempt >= settings.EVENTS_MAX_ATTEMPTS:
            dead_letter(consumer, envelope, exc, attempt)
            return
        metrics.EVENTS_RETRIED.labels(consumer, envelope.event_type).inc()
        raise self.retry(
            exc=exc, countdown=backoff_seconds(self.request.retries)
        ) from exc
