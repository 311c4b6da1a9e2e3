"""E-mails to customers about their orders and accounts (plain text and HTML,
templates `users/email/<template>.{txt,html}`, overridable by a shop's own
TEMPLATE_DIRS).

Rendered and stored (`CustomerEmail`) inside the transaction that caused them
and sent only after it commits, so a rolled-back or already-applied event
sends nothing. With a broker the send runs in a worker, never in the web
request that asked for it (task `users.deliver_email`), so a request's time
does not tell whether an e-mail left; an event handler's e-mail is sent by its
own worker right after the handler commits. A send that fails (SMTP
down) is retried with back-off by `emails_retry` (Celery beat
`users.send_emails`) until MAX_ATTEMPTS. A sender claims a row with one UPDATE that pushes its next
attempt ahead (a lease), so two senders never send it at once and no
transaction or lock is held while talking to the mail server.
"""

import datetime as dt
import logging
import uuid

from celery import current_app
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from apps.common.db import on_commit_for
from apps.eventbus.api import in_event_handler
from apps.orders.interface import guest_order_link
from apps.users.models import CustomerEmail, User
from apps.users.selectors import user_find

logger = logging.getLogger(__name__)

ORDER_SUBJECTS = {
    "confirmed": "Your order is confirmed",
    "failed": "We could not take your order",
    "paid": "Thank you for your payment",
    "shipped": "Your order is on its way",
    "delivered": "Your order was delivered",
    "cancelled": "Your order was cancelled",
    "refunded": "Your payment was refunded",
}


# Account e-mails carrying a single-use link: their text is blanked once sent,
# so the stored copy is no key to the account.
LINK_KINDS = ("password_reset", "verify_email")


def order_notification_send(
    *,
    kind: str,
    user_id: uuid.UUID | None,
    order_id: uuid.UUID,
    details: dict,
    email: str = "",
) -> bool:
    """Queue the e-mail for `kind` (a key of ORDER_SUBJECTS) to the order's
    customer, or to `email` for a guest's order (no `user_id`). Returns False
    when there is no active customer to write to."""
    user = None if user_id is None else user_find(user_id)
    if user_id is None and email:
        to_address = email  # a guest's order: the address given at checkout
    elif user is not None and user.is_active:
        to_address = None
    else:
        logger.info("no active customer %s for order %s e-mail", user_id, order_id)
        return False
    subject = ORDER_SUBJECTS[kind]
    if user is None:  # a guest's only way back to the order
        details = {**details, "order_url": guest_order_link(order_id=order_id)}
    email_queue(
        user=user,
        kind=kind,
        template="order_update",
        subject=f"{subject} ({str(order_id)[:8]})",
        context={"subject": subject, "order_id": order_id, **details},
        to_address=to_address,
        order_id=order_id,
    )
    return True


def email_queue(
    *,
    user: User | None,
    kind: str,
    template: str,
    subject: str,
    context: dict,
    to_address: str | None = None,
    order_id: uuid.UUID | None = None,
) -> CustomerEmail:
    """Store the e-mail (in the caller's transaction) and send it after commit;
    to the user's own address unless `to_address` says otherwise."""
    context = {
        "kind": kind,
        "subject": subject,
        "name": (user.first_name or user.email) if user else to_address,
        **context,
    }
    # Where no web request waits (embedded, or the worker whose event handler
    # queued it), the row is stored claimed and sent by this process right
    # after commit; a web request hands it to a worker.
    at_once = settings.EVENTS_DELIVERY != "celery" or in_event_handler()
    claim = (
        {"next_attempt_at": timezone.now() + LEASE, "attempts": 1} if at_once else {}
    )
    email = CustomerEmail.objects.create(
        user=user,
        order_id=order_id,
        kind=kind,
        to_address=to_address or user.email,  # a guest's always has to_address
        subject=subject,
        body=render_to_string(f"users/email/{template}.txt", context),
        html=render_to_string(f"users/email/{template}.html", context),
        **claim,
    )
    if at_once:
        on_commit_for(CustomerEmail, lambda: _send(email, now=timezone.now()))
    else:
        on_commit_for(CustomerEmail, lambda: _hand_to_worker(email.pk))
    return email


def _hand_to_worker(email_id: int) -> None:
    """A failed hand-over leaves the row to the retry job."""
    try:
        current_app.send_task(
            "users.deliver_email", args=[email_id], queue="users", retry=False
        )
    except Exception:  # noqa: BLE001 - the retry job sends it
        logger.warning("e-mail %s left to the retry job", email_id, exc_info=True)


# Claiming an e-mail pushes its next attempt this far ahead: longer than any
# send may take (EMAIL_TIMEOUT), so no other sender picks it up meanwhile.
LEASE = dt.timedelta(minutes=5)
# After a failed attempt n: RETRY_BASE * 2**(n-1), at most RETRY_MAX; after
# MAX_ATTEMPTS (about four hours of trying) the row stays unsent for a person.
RETRY_BASE = dt.timedelta(minutes=1)
RETRY_MAX = dt.timedelta(hours=1)
MAX_ATTEMPTS = 10
KEEP_SENT = dt.timedelta(days=30)
BATCH = 100


def email_deliver(email_id: int, *, now: dt.datetime | None = None) -> bool:
    """Send one stored e-mail if it is due and no other sender holds it;
    returns whether it left now. No transaction is open while sending, and a
    failure of any kind is recorded for the retry, never raised."""
    now = now or timezone.now()
    claimed = CustomerEmail.objects.filter(
        pk=email_id, sent_at=None, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return False
    return _send(CustomerEmail.objects.get(pk=email_id), now=now)


def _send(email: CustomerEmail, *, now: dt.datetime) -> bool:
    """Send an e-mail this process holds the claim of (its lease from `now`)."""
    try:
        _message(email).send()
    except Exception as exc:  # noqa: BLE001 - recorded and retried with back-off
        logger.warning(
            "%s e-mail %s not sent (attempt %s): %s",
            email.kind,
            email.pk,
            email.attempts,
            exc,
            exc_info=not isinstance(exc, OSError),
        )
        CustomerEmail.objects.filter(pk=email.pk).update(
            last_error=(str(exc) or type(exc).__name__)[:1000],
            next_attempt_at=now + _back_off(email.attempts),
        )
        return False
    sent = {"sent_at": timezone.now()}
    if email.kind in LINK_KINDS:
        sent.update(body="(sent; the single-use link is not kept)", html="")
    elif email.user_id is None:  # a guest's: its order link opens the order
        sent.update(body="(sent; the guest's order link is not kept)", html="")
    CustomerEmail.objects.filter(pk=email.pk).update(**sent)
    return True


def _message(email: CustomerEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
    )
    message.attach_alternative(email.html, "text/html")
    return message


def _back_off(attempts: int) -> dt.timedelta:
    seconds = get_exponential_backoff_interval(
        factor=RETRY_BASE.total_seconds(),
        retries=max(attempts - 1, 0),
        maximum=RETRY_MAX.total_seconds(),
    )
    return dt.timedelta(seconds=seconds)


def emails_retry(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Retry due unsent e-mails (a batch per run) and delete sent ones older
    than KEEP_SENT; returns counts."""
    now = now or timezone.now()
    due = CustomerEmail.objects.filter(
        sent_at=None, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now
    ).order_by("next_attempt_at")
    ids = list(due.values_list("pk", flat=True)[:BATCH])
    sent = sum(email_deliver(email_id, now=now) for email_id in ids)
    pruned, _ = CustomerEmail.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    return {"retried": len(ids), "sent": sent, "pruned": pruned}
