"""Password reset by e-mail: the same answer for known and unknown addresses,
throttled per client and per address, and a new password ends every session
and refresh token of the account."""

from django.utils import timezone

from apps.common.db import atomic_for
from apps.users.models import User
from apps.users.services.account_mail import account_mail_soon
from apps.users.services.accounts import user_password_set, validate_password
from apps.users.services.links import link_token_check, password_reset_purpose
from apps.users.services.login_throttle import account_mail_request


def password_reset_request(*, email: str, client_address: str) -> None:
    """E-mail a reset link to an active account of `email` with a password;
    raises AccountMailThrottled past a limit (counted for any address)."""
    account = User.objects.normalize_email(email)
    account_mail_request(account=account, address=client_address)
    account_mail_soon(kind="password_reset", address=account)


def password_reset_confirm(*, token: str, new_password: str) -> User:
    """Set the new password of a live reset link; the link proves the address
    too. Raises LinkInvalid, LinkExpired, ValidationFailed (a weak password)."""
    user, _address = link_token_check(token=token, purpose=password_reset_purpose())
    validate_password(new_password, user=user, field="new_password")
    with atomic_for(User):
        if not user.email_verified:
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        return user_password_set(user=user, password=new_password)
