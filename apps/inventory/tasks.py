"""Periodic jobs of the inventory (Celery beat, on the `inventory` queue)."""

from celery import shared_task
from django.db import close_old_connections

from apps.inventory import services

EXPIRE_TASK = "inventory.expire_reservations"


@shared_task(name=EXPIRE_TASK)
def expire_reservations() -> int:
    close_old_connections()
    return services.reservations_expire_due()
