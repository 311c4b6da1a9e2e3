"""E-mail address verification, at registration and on a change of address.

A verification link carries the address it was sent to: the account's own
(registration, a resend) marks it verified; another one (a change the user
asked for) becomes the account's address, verified. Asking never tells
whether an address has an account.
"""

from django.db import IntegrityError
from django.utils import timezone

from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.users.errors import EMAIL_TAKEN
from apps.users.models import User
from apps.users.selectors import user_find, user_find_by_email
from apps.users.services.account_mail import account_mail_send, account_mail_soon
from apps.users.services.accounts import password_confirm
from apps.users.services.links import (
    email_verify_purpose,
    link_email_send,
    link_token_check,
)
from apps.users.services.login_throttle import account_mail_request
from apps.users.services.notifications import email_queue


def email_verification_send(*, user_id) -> bool:
    """Send the verification link to an active, unverified account (the
    consumer of users.user.registered.v1); False when there is none."""
    user = user_find(user_id)
    return user is not None and account_mail_send(
        kind="verify_email", address=user.email
    )


def email_verification_resend(*, email: str, client_address: str) -> None:
    """A new link for an unverified account of `email`; nothing (and the same
    answer) for an unknown or verified address."""
    account = User.objects.normalize_email(email)
    account_mail_request(account=account, address=client_address)
    account_mail_soon(kind="verify_email", address=account)


def email_verify(*, token: str) -> User:
    """Follow a verification link; raises LinkInvalid, LinkExpired, or
    ValidationFailed when a new address was taken by another account since."""
    user, address = link_token_check(token=token, purpose=email_verify_purpose())
    taken = ValidationFailed({"token": [EMAIL_TAKEN]})
    if address != user.email and user_find_by_email(address) is not None:
        raise taken
    user.email = address
    user.email_verified_at = timezone.now()
    try:
        with atomic_for(User):
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError as exc:  # taken meanwhile
        raise taken from exc
    return user


def email_change_request(
    *, user: User, password: str, new_email: str, client_address: str
) -> None:
    """Send a verification link to `new_email`; the address changes when it
    is followed. A taken address gets a notice for its owner instead, and the
    same answer. The password is checked like a login (throttled)."""
    password_confirm(user=user, password=password, client_address=client_address)
    address = User.objects.normalize_email(new_email)
    if address == user.email:
        raise ValidationFailed({"new_email": ["This is already your address."]})
    account_mail_request(account=address, address=client_address)
    owner = user_find_by_email(address)
    with atomic_for(User):
        if owner is None:
            link_email_send(user=user, purpose=email_verify_purpose(), address=address)
        elif owner.is_active:
            email_queue(
                user=owner,
                kind="address_in_use",
                template="address_in_use",
                subject="Someone tried to use your e-mail address",
                context={},
            )
