"""Applying one event for one consumer, exactly once in effect.

The inbox row and the handler's effect commit together on the consumer's
database; a redelivery finds the inbox row and does nothing.
"""

import json
import logging
import traceback
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_not_exception_type,
    stop_after_attempt,
)

from apps.common import context, metrics, tracing
from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.envelope import Envelope, EventMeta
from apps.eventbus.models import DeadLetter, InboxRecord

logger = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """An event that no retry can apply (unknown type or version, bad payload)."""


def apply_event(consumer: str, envelope: Envelope) -> bool:
    """Apply once; returns False if the consumer had already applied it."""
    try:
        event_cls = registry.event_class(envelope.event_type)
        handler = registry.handler_for(consumer, envelope.event_type)
        event = event_cls.from_payload(envelope.payload)
    except (registry.UnknownEventType, TypeError, ValueError, KeyError) as exc:
        raise PermanentFailure(str(exc)) from exc

    alias = alias_for(consumer)
    with (
        metrics.EVENT_HANDLING.labels(consumer, envelope.event_type).time(),
        context.flow(correlation=envelope.correlation_id, causation=envelope.event_id),
        context.handling(
            event_id=envelope.event_id,
            event_type=envelope.event_type,
            consumer=consumer,
        ),
        tracing.handling_span(
            trace_context=envelope.trace_context,
            event_type=envelope.event_type,
            event_id=envelope.event_id,
            consumer=consumer,
        ),
    ):
        try:
            with transaction.atomic(using=alias):
                InboxRecord.objects.using(alias).create(
                    consumer=consumer,
                    event_id=envelope.event_id,
                    event_type=envelope.event_type,
                )
                handler(event, EventMeta.from_envelope(envelope))
        except IntegrityError:
            if _already_applied(alias, consumer, envelope.event_id):
                logger.info(
                    "duplicate %s %s for %s ignored",
                    envelope.event_type,
                    envelope.event_id,
                    consumer,
                )
                return False
            raise
        logger.info(
            "handled %s %s for %s", envelope.event_type, envelope.event_id, consumer
        )
    metrics.EVENTS_HANDLED.labels(consumer, envelope.event_type).inc()
    return True


def _already_applied(alias: str, consumer: str, event_id: str) -> bool:
    return (
        InboxRecord.objects.using(alias)
        .filter(consumer=consumer, event_id=event_id)
        .exists()
    )


def dead_letter(
    consumer: str, envelope: Envelope, error: BaseException, attempts: int
) -> DeadLetter:
    alias = alias_for(consumer)
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    metrics.EVENTS_DEAD_LETTERED.labels(consumer, envelope.event_type).inc()
    logger.error(
        "dead-lettered %s %s for %s after %s attempts: %s",
        envelope.event_type,
        envelope.event_id,
        consumer,
        attempts,
        text,
    )
    return DeadLetter.objects.using(alias).create(
        consumer=consumer,
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        envelope=envelope.to_dict(),
        error=text,
        attempts=attempts,
    )


def dead_letter_malformed(consumer: str, data, error: Exception) -> None:
    """Keep a message that carries no usable envelope as a dead letter, with
    what was received, to be inspected; it cannot be replayed. Its id is
    derived from the message, so a redelivery adds no second letter."""
    alias = alias_for(consumer)
    received = data if isinstance(data, dict) else {"received": data}
    canonical = json.dumps([consumer, received], sort_keys=True, default=str)
    letter_id = uuid.uuid5(uuid.NAMESPACE_URL, f"malformed-message:{canonical}")
    logger.error("dead-lettered a malformed message for %s: %r", consumer, data)
    if DeadLetter.objects.using(alias).filter(event_id=letter_id).exists():
        return
    metrics.EVENTS_DEAD_LETTERED.labels(consumer, "malformed").inc()
    event_type = data.get("event_type") if isinstance(data, dict) else None
    DeadLetter.objects.using(alias).create(
        consumer=consumer,
        event_id=letter_id,
        event_type=str(event_type or "")[:200],
        envelope=received,
        error=str(error),
        attempts=1,
    )


def consume_inprocess(consumer: str, envelope: Envelope) -> None:
    """Embedded delivery: a few immediate attempts, then a dead letter. A
    handler's failure never reaches the request that published."""
    with context.flow(correlation=envelope.correlation_id, causation=envelope.event_id):
        _consume_inprocess(consumer, envelope)


def _consume_inprocess(consumer: str, envelope: Envelope) -> None:
    def note_retry(state: RetryCallState) -> None:
        logger.warning(
            "attempt %s of %s for %s failed",
            state.attempt_number,
            envelope.event_type,
            consumer,
            exc_info=state.outcome.exception(),
        )
        metrics.EVENTS_RETRIED.labels(consumer, envelope.event_type).inc()

    retrying = Retrying(
        retry=retry_if_not_exception_type(PermanentFailure),
        stop=stop_after_attempt(settings.EVENTS_MAX_ATTEMPTS),
        before_sleep=note_retry,
        reraise=True,
    )
    try:
        retrying(apply_event, consumer, envelope)
    except Exception as exc:  # noqa: BLE001 - dead-lettered, never raised
        dead_letter(consumer, envelope, exc, retrying.statistics["attempt_number"])
