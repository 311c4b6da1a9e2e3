"""Events the users app publishes (public; standard library only)."""

import uuid
from dataclasses import dataclass

from apps.eventbus.schema import Event


@dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    event_type = "users.user.registered.v1"
    user_id: uuid.UUID
    email: str


@dataclass(frozen=True, kw_only=True)
class UserErased(Event):
    """The account is gone; every app erases or anonymizes what it keeps about
    the user."""

    event_type = "users.user.erased.v1"
    user_id: uuid.UUID
