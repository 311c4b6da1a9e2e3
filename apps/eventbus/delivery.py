"""Handing one envelope to its consumers: through Celery, one consume task
routed per message to the consumer's own queue (an extracted app is just a
worker on its queue), or in-process in the embedded default.

A consume task keeps what its own handler publishes for a queue this worker
serves and applies it itself after its event (`continuing`): the same inbox,
one broker round trip and one task fewer per hop; what fails there goes to
the queue and is retried as usual."""

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from apps.common import context, metrics
from apps.common.breaker import CircuitBreaker
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


def broker_breaker() -> CircuitBreaker:
    """Open, it sends new rows to the relay at once instead of letting each
    request wait for the broker's connect time-out; the relay is its probe."""
    return CircuitBreaker(
        target="broker",
        failure_threshold=settings.EVENTS_BROKER_BREAKER_THRESHOLD,
        open_seconds=settings.EVENTS_BROKER_BREAKER_SECONDS,
    )


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
    with (
        continuing(served=self.app.amqp.queues.consume_from or ()),
        context.flow(correlation=envelope.correlation_id, causation=envelope.event_id),
    ):
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


# --- continuing in the worker -------------------------------------------------


@dataclass
class _Kept:
    envelope: Envelope
    consumers: list[str]
    then: Callable[[], None]


class _Continuations(threading.local):
    served: frozenset[str] = frozenset()
    budget = 0
    kept: deque | None = None


_here = _Continuations()


@contextmanager
def continuing(*, served) -> Iterator[None]:
    """Around one consume task: events committed meanwhile for the consumers
    of `served` queues (at most EVENTS_WORKER_CONTINUATIONS) are kept, then
    applied here once the block is over, whatever its outcome."""
    if _here.kept is not None:  # a task run eagerly inside another
        yield
        return
    _here.served = frozenset(served)
    _here.budget = settings.EVENTS_WORKER_CONTINUATIONS
    _here.kept = deque()
    try:
        yield
    finally:
        try:
            _apply_kept(_here.kept)
        finally:
            _here.kept = None


def kept_here(event_type: str, consumers: list[str]) -> list[str]:
    """Of `consumers`, the ones this task would apply itself: hosted here, on
    a queue this worker serves, within the task's budget."""
    if _here.kept is None or _here.budget <= 0:
        return []
    hosted = registry.hosted_consumers_of(event_type)
    return [c for c in consumers if c in _here.served and c in hosted]


def keep(envelope: Envelope, consumers: list[str], *, then: Callable[[], None]):
    """Apply `envelope` for `consumers` (from `kept_here`) after this task's
    own event; `then` runs once each of them applied it or has it queued."""
    _here.budget -= 1
    _here.kept.append(_Kept(envelope, consumers, then))


def _apply_kept(kept: deque) -> None:
    # Events the kept ones publish join the end, so the order is publication's.
    while kept:
        item = kept.popleft()
        handled = [_apply_here(c, item.envelope) for c in item.consumers]
        if all(handled):
            item.then()


def _apply_here(consumer: str, envelope: Envelope) -> bool:
    """Apply, or dead-letter what no retry can apply, or hand the event to the
    consumer's queue to be retried there; False when even that failed (the
    outbox row stays unsent and the relay sends it)."""
    try:
        apply_event(consumer, envelope)  # in the event's own flow
        return True
    except PermanentFailure as exc:
        dead_letter(consumer, envelope, exc, attempts=1)
        return True
    except Exception:  # noqa: BLE001 - retried from the queue
        logger.warning(
            "%s %s for %s failed in the worker that published it; queued",
            envelope.event_type,
            envelope.event_id,
            consumer,
            exc_info=True,
        )
    try:
        with broker_breaker().guard():
            enqueue(consumer, envelope)
        return True
    except Exception:  # noqa: BLE001 - the relay sends it
        logger.warning("%s left to the relay", envelope.event_id, exc_info=True)
        return False
