"""Public functions other apps may call: plain data in, contracts out."""

import uuid

from apps.users.contracts import UserNotFound, UserSummary
from apps.users.models import User
from apps.users.roles import STAFF_ROLES
from apps.users.selectors import user_find, user_find_by_email
from apps.users.services import accounts


def _summary(user: User) -> UserSummary:
    return UserSummary(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        is_staff=user.is_staff,
        is_active=user.is_active,
    )


def user_get(*, user_id: uuid.UUID | str) -> UserSummary:
    """The user with `user_id`; raises UserNotFound."""
    user = user_find(user_id)
    if user is None:
        raise UserNotFound(str(user_id))
    return _summary(user)


def user_get_by_email(*, email: str) -> UserSummary:
    """The user with `email` (any case); raises UserNotFound."""
    user = user_find_by_email(email)
    if user is None:
        raise UserNotFound(email)
    return _summary(user)


def customer_register(
    *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> UserSummary:
    """A new customer account; raises ValidationFailed (a taken e-mail, a weak
    password)."""
    user = accounts.user_register(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    return _summary(user)


def staff_role_names() -> list[str]:
    """The roles `staff_create` accepts."""
    return list(STAFF_ROLES)


def staff_create(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    roles: tuple[str, ...] = (),
) -> UserSummary:
    """A staff account, or the existing account of `email` promoted to staff with
    this password and `roles` added; raises ValidationFailed (a weak password,
    an unknown role)."""
    user, _created = accounts.staff_create(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        roles=roles,
    )
    return _summary(user)
