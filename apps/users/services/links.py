"""Single-use, time-limited tokens for the links e-mailed to an address
(password reset, address verification), made with Django's signing.

A token signs the user id, the address it was sent to and a digest of the
account's state: password hash, e-mail, verification time and token version.
Whatever the link does changes that state, so a used token no longer matches
(single use without storing tokens); a new password, address or logout
everywhere ends the others as well. The signature's timestamp bounds its life.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from apps.users.errors import LinkExpired, LinkInvalid
from apps.users.models import User
from apps.users.selectors import user_find
from apps.users.services.notifications import email_queue


@dataclass(frozen=True)
class LinkPurpose:
    name: str  # the signing salt: a token of one purpose is refused by another
    max_age: dt.timedelta
    url: str  # the front end's page for the link, with `{token}`
    subject: str


def password_reset_purpose() -> LinkPurpose:
    return LinkPurpose(
        name="password_reset",
        max_age=dt.timedelta(minutes=settings.PASSWORD_RESET_MINUTES),
        url=settings.PASSWORD_RESET_URL,
        subject="Reset your password",
    )


def email_verify_purpose() -> LinkPurpose:
    return LinkPurpose(
        name="verify_email",
        max_age=dt.timedelta(hours=settings.VERIFY_EMAIL_HOURS),
        url=settings.VERIFY_EMAIL_URL,
        subject="Confirm your e-mail address",
    )


def _state(user: User, *, purpose: LinkPurpose) -> str:
    value = "\0".join(
        (
            str(user.pk),
            user.password,
            user.email,
            str(user.email_verified_at),
            str(user.token_version),
            str(user.is_active),
        )
    )
    return salted_hmac(f"users.links.{purpose.name}", value).hexdigest()[:32]


def link_token_make(*, user: User, purpose: LinkPurpose, address: str) -> str:
    """A token for a link e-mailed to `address` (the account's own or a new
    one it is changing to)."""
    payload = {"u": str(user.pk), "a": address, "s": _state(user, purpose=purpose)}
    return signing.dumps(payload, salt=f"users.links.{purpose.name}", compress=True)


def link_token_check(*, token: str, purpose: LinkPurpose) -> tuple[User, str]:
    """The active user and address of a live token; raises LinkExpired for a
    genuine token past its age, LinkInvalid for anything else (forged, of
    another purpose, already used, or its account changed since)."""
    try:
        payload = signing.loads(
            token,
            salt=f"users.links.{purpose.name}",
            max_age=purpose.max_age,
        )
    except signing.SignatureExpired as exc:
        raise LinkExpired() from exc
    except signing.BadSignature as exc:
        raise LinkInvalid() from exc
    if not isinstance(payload, dict):
        raise LinkInvalid()
    user = user_find(payload.get("u", ""))
    if user is None or not user.is_active:
        raise LinkInvalid()
    if not constant_time_compare(str(payload.get("s")), _state(user, purpose=purpose)):
        raise LinkInvalid()
    return user, str(payload.get("a", ""))


def link_email_send(*, user: User, purpose: LinkPurpose, address: str) -> None:
    """Queue the e-mail with a link of `purpose` to `address` (template
    `users/email/<purpose>`)."""
    token = link_token_make(user=user, purpose=purpose, address=address)
    email_queue(
        user=user,
        kind=purpose.name,
        template=purpose.name,
        subject=purpose.subject,
        to_address=address,
        context={
            "token": token,
            "link": purpose.url.format(token=token),
            "address": address,
            "valid_for": _duration(purpose.max_age),
        },
    )


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour" if hours == 1 else f"{hours} hours"
