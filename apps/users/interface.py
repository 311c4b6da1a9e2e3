"""Public functions other apps may call: plain data in, contracts out."""

import uuid

from apps.users.contracts import UserSummary


def user_get(user_id: uuid.UUID | str) -> UserSummary:
    """The user with `user_id`; raises UserNotFound."""
    raise NotImplementedError("built by the users issue")
