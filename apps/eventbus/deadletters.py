"""Inspecting and replaying dead letters. Each lives in its consumer's
database; they are addressed by event id (and optionally consumer), which is
unambiguous across databases, unlike row ids."""

import logging
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

from apps.common.db import alias_for
from apps.eventbus.delivery import hand_over
from apps.eventbus.envelope import MalformedEnvelope, envelope_from_message
from apps.eventbus.models import DeadLetter

logger = logging.getLogger(__name__)


def _consumer_aliases(consumer: str | None) -> list[str]:
    if consumer is not None:
        return [alias_for(consumer)]
    return list(dict.fromkeys(settings.APP_DATABASES.values()))


def dead_letters(
    *,
    consumer: str | None = None,
    event_id: uuid.UUID | None = None,
    include_replayed: bool = False,
) -> Iterator[DeadLetter]:
    for alias in _consumer_aliases(consumer):
        letters = DeadLetter.objects.using(alias).order_by("id")
        if consumer is not None:
            letters = letters.filter(consumer=consumer)
        if event_id is not None:
            letters = letters.filter(event_id=event_id)
        if not include_replayed:
            letters = letters.filter(replayed_at__isnull=True)
        yield from letters


def replay_dead_letters(
    *, consumer: str | None = None, event_id: uuid.UUID | None = None
) -> int:
    """Hand each pending dead letter to its consumer again (only that one) and
    mark it replayed. A replay that fails again ends in a new dead letter."""
    replayed = 0
    for letter in list(dead_letters(consumer=consumer, event_id=event_id)):
        try:
            envelope = envelope_from_message(letter.envelope)
        except MalformedEnvelope:
            logger.warning("dead letter %s holds no envelope: kept", letter.event_id)
            continue
        # Handed over first: if the broker is away this raises and the letter
        # stays pending.
        hand_over(envelope, [letter.consumer])
        DeadLetter.objects.using(letter._state.db).filter(pk=letter.pk).update(
            replayed_at=timezone.now()
        )
        replayed += 1
    return replayed
