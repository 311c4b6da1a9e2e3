"""E-mails to customers about their orders (plain text and HTML).

Rendered inside the handler's transaction, sent only after it commits, so a
rolled-back or already-applied event sends nothing.
"""

import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps.common.db import on_commit_for
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
    message = EmailMultiAlternatives(
        subject=f"{SUBJECTS[kind]} ({str(order_id)[:8]})",
        body=render_to_string("users/email/order_update.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string("users/email/order_update.html", context), "text/html"
    )
    on_commit_for("users", lambda: _send(message, kind=kind, order_id=order_id))
    return True


def _send(message: EmailMultiAlternatives, *, kind: str, order_id: uuid.UUID) -> None:
    try:
        message.send()
    except OSError:  # SMTP down: the event is applied; log, do not redeliver
        logger.exception("order %s e-mail for %s not sent", kind, order_id)
