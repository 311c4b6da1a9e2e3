"""E-mails to customers about their orders (plain text and HTML).

Rendered and stored (`OrderEmail`) inside the handler's transaction and sent
only after it commits, so a rolled-back or already-applied event sends
nothing. A send that fails (SMTP down) is retried by `order_emails_retry`
(Celery beat `users.send_order_emails`) until MAX_ATTEMPTS; each row is
locked while it is sent, so two senders never send it twice.
"""

import datetime as dt
import logging
import smtplib
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from apps.common.db import atomic_for, on_commit_for
from apps.users.models import OrderEmail
from apps.users.selectors import user_find

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmed": "Your order is confirmed",
    "failed": "We could not take your order",
    "paid": "Thank you for your payment",
    "shipped": "Your order is on its way",
    "delivered": "Your order was delivered",
    "cancelled": "Your order was cancelled",
    "refunded": "Your payment was refunded",
}


def order_notification_send(
    *, kind: str, user_id: uuid.UUID, order_id: uuid.UUID, details: dict
) -> bool:
    """Queue the e-mail for `kind` (a key of SUBJECTS) to the order's customer.
    Returns False when there is no active customer to write to."""
    user = user_find(user_id)
    if user is None or not user.is_active:
        logger.info("no active customer %s for order %s e-mail", user_id, order_id)
        return False
    context = {
        "kind": kind,
        "subject": SUBJECTS[kind],
        "name": user.first_name or user.email,
        "order_id": order_id,
        **details,
    }
    email = OrderEmail.objects.create(
        user=user,
        order_id=order_id,
        kind=kind,
        to_address=user.email,
        subject=f"{SUBJECTS[kind]} ({str(order_id)[:8]})",
        body=render_to_string("users/email/order_update.txt", context),
        html=render_to_string("users/email/order_update.html", context),
    )
    on_commit_for("users", lambda: order_email_deliver(email.pk))
    return True


# A failed send is retried this long after it was written (the after-commit
# send has had its chance), at most MAX_ATTEMPTS times in all.
RETRY_AFTER = dt.timedelta(minutes=1)
MAX_ATTEMPTS = 10
KEEP_SENT = dt.timedelta(days=30)
BATCH = 100


def order_email_deliver(email_id: int) -> bool:
    """Send one stored e-mail unless it was sent already or another sender
    holds it; returns whether it left now. Never raises for SMTP trouble."""
    with atomic_for("users"):
        email = (
            OrderEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, sent_at=None)
            .first()
        )
        if email is None:
            return False
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to_address],
        )
        message.attach_alternative(email.html, "text/html")
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as exc:
            logger.warning(
                "order %s e-mail for %s not sent (attempt %s): %s",
                email.kind,
                email.order_id,
                email.attempts + 1,
                exc,
            )
            _record_attempt(email, error=str(exc) or type(exc).__name__)
            return False
        _record_attempt(email, sent_at=timezone.now())
        return True


def _record_attempt(email: OrderEmail, *, error: str = "", sent_at=None) -> None:
    OrderEmail.objects.filter(pk=email.pk).update(
        attempts=F("attempts") + 1, last_error=error[:1000], sent_at=sent_at
    )


def order_emails_retry(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Retry unsent e-mails (oldest first, a batch per run) and delete sent
    ones older than KEEP_SENT; returns counts."""
    now = now or timezone.now()
    due = OrderEmail.objects.filter(
        sent_at=None, attempts__lt=MAX_ATTEMPTS, created_at__lte=now - RETRY_AFTER
    ).order_by("created_at")
    ids = list(due.values_list("pk", flat=True)[:BATCH])
    sent = sum(order_email_deliver(email_id) for email_id in ids)
    pruned, _ = OrderEmail.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    return {"retried": len(ids), "sent": sent, "pruned": pruned}
