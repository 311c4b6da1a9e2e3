"""Registration, profile, passwords and staff accounts."""

from collections.abc import Sequence

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from apps.common.db import alias_for, atomic_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish
from apps.users.errors import AccountMailThrottled, EmailTaken
from apps.users.events import UserRegistered
from apps.users.models import User
from apps.users.roles import STAFF_ROLES, role_groups
from apps.users.selectors import user_find_by_email
from apps.users.services.account_mail import account_mail_soon
from apps.users.services.login_throttle import account_mail_request, login_attempt
from apps.users.services.tokens import tokens_revoke_all

PROFILE_FIELDS = ("first_name", "last_name", "phone")


def validate_password(password: str, *, user: User, field: str) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed({field: list(exc.messages)}) from exc


def user_register(
    *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> User:
    """A new customer; publishes users.user.registered.v1 (whose consumer
    sends the verification e-mail). Raises EmailTaken."""
    email = User.objects.normalize_email(email)
    candidate = User(email=email, first_name=first_name, last_name=last_name)
    validate_password(password, user=candidate, field="password")
    if user_find_by_email(email) is not None:
        raise EmailTaken()
    return _user_create(
        email=email, password=password, first_name=first_name, last_name=last_name
    )


def registration_submit(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    client_address: str,
) -> User:
    """The public registration: a taken address answers with an unsaved
    stand-in shaped like a new account (no enumeration) after the same
    password hashing, and its owner is told by e-mail instead."""
    names = {"first_name": first_name, "last_name": last_name}
    try:
        return user_register(email=email, password=password, **names)
    except EmailTaken:
        make_password(password)  # the work a new account's hash takes
        email = User.objects.normalize_email(email)
        _taken_address_notify(email=email, client_address=client_address)
        return User(email=email, **names)


def _taken_address_notify(*, email: str, client_address: str) -> None:
    try:  # the owner's inbox is no spam target: past the limit, silence
        account_mail_request(account=email, address=client_address)
    except AccountMailThrottled:
        return
    account_mail_soon(kind="account_exists", address=email)


def _user_create(
    *, email: str, password: str, is_staff: bool = False, verified=None, **names
) -> User:
    try:
        with atomic_for(User):
            user = User.objects.create_user(
                email, password, is_staff=is_staff, email_verified_at=verified, **names
            )
            publish(UserRegistered(user_id=user.pk, email=user.email))
    except IntegrityError as exc:  # a concurrent registration won the race
        raise EmailTaken() from exc
    return user


def user_profile_update(*, user: User, **changes) -> User:
    """Names and contact fields only; anything else is refused loudly."""
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise ValueError(f"not profile fields: {unknown}")
    if not changes:
        return user
    with atomic_for(User):
        for field, value in changes.items():
            setattr(user, field, value)
        user.save(update_fields=list(changes))
    return user


def user_password_set(*, user: User, password: str | None) -> User:
    """Set a password (None: unusable) and revoke every earlier token: refresh
    tokens are blacklisted; access tokens carry a password claim that no
    longer matches."""
    with atomic_for(User):
        user.set_password(password)
        user.save(update_fields=["password"])
        tokens_revoke_all(user=user)
    return user


def password_confirm(
    *, user: User, password: str, client_address: str, field: str = "password"
) -> None:
    """The signed-in user's password before a grave change; a wrong one counts
    as a failed login (a stolen access token must not become a password
    oracle) and is throttled the same way."""
    confirmed = login_attempt(
        account=user.email,
        address=client_address,
        check=lambda: user if user.check_password(password) else None,
    )
    if confirmed is None:
        raise ValidationFailed({field: ["The current password is wrong."]})


def user_password_change(
    *, user: User, old_password: str, new_password: str, client_address: str
) -> User:
    password_confirm(
        user=user,
        password=old_password,
        client_address=client_address,
        field="old_password",
    )
    validate_password(new_password, user=user, field="new_password")
    return user_password_set(user=user, password=new_password)


def staff_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    roles: Sequence[str] = (),
) -> tuple[User, bool]:
    """A staff account, or an existing account promoted to staff, with `roles`
    (keys of STAFF_ROLES) added to the ones it has.

    Returns (user, created). The password, when given, is validated and set
    (revoking the account's tokens); a new account needs one.
    """
    unknown = sorted(set(roles) - set(STAFF_ROLES))
    if unknown:
        raise ValidationFailed(
            {"role": [f"Unknown role {', '.join(unknown)}; one of {_role_names()}."]}
        )
    user, created = _staff_account(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    models = (Group, Permission, ContentType)
    user.groups.add(*role_groups(roles=roles, models=models, using=alias_for("auth")))
    return user, created


def _role_names() -> str:
    return ", ".join(STAFF_ROLES)


def _staff_account(
    *, email: str, password: str | None, first_name: str, last_name: str
) -> tuple[User, bool]:
    email = User.objects.normalize_email(email)
    user = user_find_by_email(email)
    if user is None and not password:
        raise ValidationFailed({"password": ["A new staff account needs a password."]})
    if password:
        candidate = user or User(
            email=email, first_name=first_name, last_name=last_name
        )
        validate_password(password, user=candidate, field="password")
    if user is None:
        user = _user_create(
            email=email,
            password=password,
            is_staff=True,
            # An operator vouches for a staff address.
            verified=timezone.now(),
            first_name=first_name,
            last_name=last_name,
        )
        return user, True
    with atomic_for(User):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        if password:
            user_password_set(user=user, password=password)
    return user, False
