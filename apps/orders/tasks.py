"""Periodic jobs of the orders app (Celery beat; entries in settings, queue
"orders")."""

from celery import shared_task

from apps.orders.services.cart import carts_expire
from apps.orders.services.idempotency import idempotency_prune
from apps.orders.services.settlement import payments_settle


@shared_task(name="orders.idempotency_prune")
def prune_idempotency_keys() -> int:
    return idempotency_prune()


@shared_task(name="orders.settle_payments")
def settle_payments() -> dict[str, int]:
    return payments_settle()


@shared_task(name="orders.expire_carts")
def expire_carts() -> int:
    return carts_expire()
