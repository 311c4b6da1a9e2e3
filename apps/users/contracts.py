"""Public plain-data contracts of the users app (standard library only)."""

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class UserSummary:
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    is_staff: bool
    is_active: bool


class UserNotFound(LookupError):
    pass
