"""Periodic jobs of the users app (Celery beat; entries in settings, queue
"users")."""

from celery import shared_task

from apps.users.services.account_mail import account_mail_send
from apps.users.services.notifications import email_deliver, emails_retry
from apps.users.services.tokens import tokens_prune_expired


@shared_task(name="users.send_emails")
def send_emails() -> dict[str, int]:
    return emails_retry()


@shared_task(name="users.deliver_email")
def deliver_email(email_id: int) -> bool:
    return email_deliver(email_id)


@shared_task(name="users.prune_expired_tokens")
def prune_expired_tokens() -> int:
    return tokens_prune_expired()


@shared_task(name="users.send_account_mail")
def send_account_mail(kind: str, address: str) -> bool:
    return account_mail_send(kind=kind, address=address)
