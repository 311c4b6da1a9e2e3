"""Periodic jobs of the users app (Celery beat; entries in settings, queue
"users")."""

from celery import shared_task

from apps.users.services.notifications import order_emails_retry
from apps.users.services.tokens import tokens_prune_expired


@shared_task(name="users.send_order_emails")
def send_order_emails() -> dict[str, int]:
    return order_emails_retry()


@shared_task(name="users.prune_expired_tokens")
def prune_expired_tokens() -> int:
    return tokens_prune_expired()
