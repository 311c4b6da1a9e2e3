"""Public functions other apps may call: plain data in, contracts out."""

import uuid

from apps.users.contracts import UserNotFound, UserSummary
from apps.users.demo import demo_customer_email
from apps.users.models import User
from apps.users.selectors import user_find, user_find_by_email


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


def demo_customer() -> UserSummary | None:
    """The demo customer `manage.py seed_demo` creates, if it exists."""
    user = user_find_by_email(demo_customer_email())
    return _summary(user) if user is not None else None
