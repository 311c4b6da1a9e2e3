"""Periodic jobs of the bus (Celery beat): relay unsent rows, prune sent ones."""

from celery import shared_task

from apps.eventbus import outbox


@shared_task(name="eventbus.relay")
def relay(producer: str | None = None) -> int:
    """Beat runs one per app, on the app's own queue, for the app's own outbox:
    an extracted app's worker relays what its app published."""
    return outbox.relay_once(producer=producer)


@shared_task(name="eventbus.prune")
def prune(producer: str | None = None) -> int:
    return outbox.prune_sent(producer=producer)
