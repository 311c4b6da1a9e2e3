"""Handing one envelope to its consumers: through Celery, one consume task
routed per message to the consumer's own queue (an extracted app is just a
worker on its queue), or in-process in the embedded default."""

import logging
import threading

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from apps.common import context, metrics
from apps.eventbus import registry
from apps.eventbus.consumer import (
    PermanentFailure,
    apply_event,
    consume_inprocess,
    dead_letter,
    dead_letter_malformed,
)
from apps.eventbus.envelope import Envelope, MalformedEnvelope, envelope_from_message
from apps.eventbus.redis_channel import reuse_one_client

logger = logging.getLogger(__name__)
CONSUME_TASK = "eventbus.consume"


def hand_over(envelope: Envelope, consumers: list[str] | None = None) -> None:
    """Deliver to `consumers` (default: every subscriber of its type)."""
    if consumers is None:
        consumers = registry.consumers_of(envelope.event_type)
    for consumer in consumers:
        if settings.EVENTS_DELIVERY == "inprocess":
            consume_inprocess(consumer, envelope)
        else:
            enqueue(consumer, envelope)


_publisher = threading.local()


def _producer():
    """This thread's producer, on a connection whose every socket operation is
    bounded by EVENTS_PUBLISH_TIMEOUT_SECONDS (the worker's own connections
    keep the broker's ordinary time-outs)."""
    producer = getattr(_publisher, "producer", None)
    if producer is None:
        app = consume.app
        timeout = settings.EVENTS_PUBLISH_TIMEOUT_SECONDS
        options = {
            **app.conf.broker_transport_options,
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
        }
        connection = app.connection_for_write(transport_options=options)
        reuse_one_client(connection)
        producer = _publisher.producer = connection.Producer()
    return producer


def _drop_producer() -> None:
    producer = getattr(_publisher, "producer", None)
    _publisher.producer = None
    if producer is not None:
        producer.connection.collect()  # forget the broken sockets, no I/O


def enqueue(consumer: str, envelope: Envelope) -> None:
    """Send one message to `consumer`'s queue, in bounded time; a broker that
    is down or stalled raises instead of hanging (Celery's own publishing
    retries the connection for a long time)."""
    producer = _producer()
    try:
        producer.connection.ensure_connection(
            max_retries=0, timeout=settings.EVENTS_PUBLISH_TIMEOUT_SECONDS
        )
        consume.apply_async(
            args=[consumer, envelope.to_dict()],
            queue=consumer,
            producer=producer,
            retry=False,
            # Celery would otherwise repr the whole envelope into the headers.
            argsrepr=f"[{consumer!r}, '{envelope.event_type} {envelope.event_id}']",
            kwargsrepr="{}",
        )
    except Exception:
        _drop_producer()
        raise


def backoff_seconds(retries: int) -> float:
    """Exponential, capped well below the broker's visibility timeout."""
    return get_exponential_backoff_interval(
        factor=settings.EVENTS_RETRY_BASE_SECONDS,
        retries=retries,
        maximum=settings.EVENTS_RETRY_MAX_SECONDS,
    )


@shared_task(name=CONSUME_TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
def consume(self, consumer: str, envelope_data: dict) -> None:
    attempt = self.request.retries + 1
    try:
        envelope = envelope_from_message(envelope_data)
    except MalformedEnvelope as exc:
        dead_letter_malformed(consumer, envelope_data, exc)
        return
    with context.flow(correlation=envelope.correlation_id, causation=envelope.event_id):
        _consume(self, consumer, envelope, attempt)


def _consume(task, consumer: str, envelope: Envelope, attempt: int) -> None:
    try:
        apply_event(consumer, envelope)
    except PermanentFailure as exc:
        dead_letter(consumer, envelope, exc, attempt)
    except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered
        if attempt >= settings.EVENTS_MAX_ATTEMPTS:
            dead_letter(consumer, envelope, exc, attempt)
            return
        logger.warning(
            "attempt %s of %s %s for %s failed; retrying",
            attempt,
            envelope.event_type,
            envelope.event_id,
            consumer,
            exc_info=True,
        )
        metrics.EVENTS_RETRIED.labels(consumer, envelope.event_type).inc()
        # Retry re-sends to the queue the message came from (its routing key).
        raise task.retry(
            exc=exc, countdown=backoff_seconds(task.request.retries)
        ) from exc
