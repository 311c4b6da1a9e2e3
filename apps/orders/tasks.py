"""Periodic jobs of the orders app (Celery beat)."""

from celery import shared_task
from django.db import close_old_connections

from apps.orders.services.idempotency import idempotency_prune
from apps.orders.services.payments import payments_recover_stale


@shared_task(name="orders.idempotency_prune")
def prune_idempotency_keys() -> int:
    close_old_connections()
    return idempotency_prune()


@shared_task(name="orders.payments_recover")
def recover_stale_payments() -> dict[str, int]:
    close_old_connections()
    return payments_recover_stale()
