"""E-mails asked for by an address (password reset, a new verification link,
a registration with a taken address), composed where the address is looked up.

With a broker the request hands the address to a worker (task
`users.send_account_mail`) and looks nothing up itself, so its work and time
are the same whether or not the address has an account; without one (the
embedded default) the same runs in the web process once the answer was sent
(Django's request_finished), for the same reason.
"""

import logging
import threading
from collections.abc import Callable

from celery import current_app
from django.conf import settings

from apps.common.db import atomic_for
from apps.users.models import User
from apps.users.selectors import user_find_by_email
from apps.users.services.links import (
    email_verify_purpose,
    link_email_send,
    password_reset_purpose,
)
from apps.users.services.notifications import email_queue

logger = logging.getLogger(__name__)


def _password_reset(user: User) -> bool:
    if not user.has_usable_password():
        return False
    link_email_send(user=user, purpose=password_reset_purpose(), address=user.email)
    return True


def _verify_email(user: User) -> bool:
    if user.email_verified:
        return False
    link_email_send(user=user, purpose=email_verify_purpose(), address=user.email)
    return True


def _account_exists(user: User) -> bool:
    email_queue(
        user=user,
        kind="account_exists",
        template="account_exists",
        subject="You already have an account",
        context={},
    )
    return True


KINDS: dict[str, Callable[[User], bool]] = {
    "password_reset": _password_reset,
    "verify_email": _verify_email,
    "account_exists": _account_exists,
}


def account_mail_send(*, kind: str, address: str) -> bool:
    """Queue the `kind` e-mail (a key of KINDS) to the active account of
    `address`; False when there is none or it needs no such e-mail."""
    user = user_find_by_email(address)
    if user is None or not user.is_active:
        return False
    with atomic_for(User):
        return KINDS[kind](user)


def account_mail_soon(*, kind: str, address: str) -> None:
    """A worker sends it where there is a broker; if the hand-over fails, or
    without a broker, this process sends it after answering, never losing it."""
    if settings.EVENTS_DELIVERY == "celery":
        try:
            current_app.send_task(
                "users.send_account_mail",
                kwargs={"kind": kind, "address": address},
                queue="users",
                retry=False,
            )
            return
        except Exception:  # noqa: BLE001 - sent by this process instead
            logger.warning("account e-mail sent by the web process", exc_info=True)
    _after_response(lambda: account_mail_send(kind=kind, address=address))


# What the current request's thread runs once its answer was sent; None
# outside a request (a command, a worker), where work runs at once.
_pending = threading.local()


def _after_response(work: Callable[[], object]) -> None:
    waiting = getattr(_pending, "work", None)
    if waiting is None:
        work()
    else:
        waiting.append(work)


def request_started(**kwargs) -> None:
    _pending.work = []


def request_finished(**kwargs) -> None:
    """Runs after the WSGI server sent the answer (Django's request_finished)."""
    waiting, _pending.work = getattr(_pending, "work", None) or [], None
    for work in waiting:
        try:
            work()
        except Exception:  # noqa: BLE001 - the answer is gone; log, never raise
            logger.exception("account e-mail after the answer failed")
