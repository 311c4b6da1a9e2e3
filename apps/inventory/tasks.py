"""Periodic jobs of the inventory (Celery beat, on the `inventory` queue).
Stale connections are dropped around every task by config/celery.py."""

from celery import shared_task

from apps.inventory import services

EXPIRE_TASK = "inventory.expire_reservations"


@shared_task(name=EXPIRE_TASK)
def expire_reservations() -> int:
    return services.reservations_expire_due()
