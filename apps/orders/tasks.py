"""Periodic jobs of the orders app (Celery beat)."""

from celery import shared_task
from django.db import close_old_connections

from apps.orders.services.idempotency import idempotency_prune


@shared_task(name="orders.idempotency_prune")
def prune_idempotency_keys() -> int:
    close_old_connections()
    return idempotency_prune()
