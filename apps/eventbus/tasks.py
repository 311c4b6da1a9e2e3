"""Periodic jobs of the bus (Celery beat): relay unsent rows, prune sent ones."""

from celery import shared_task
from django.db import close_old_connections

from apps.eventbus import outbox


@shared_task(name="eventbus.relay")
def relay() -> int:
    close_old_connections()
    return outbox.relay_once()


@shared_task(name="eventbus.prune")
def prune() -> int:
    close_old_connections()
    return outbox.prune_sent()
