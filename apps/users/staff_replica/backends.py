"""The admin session's backend in every process (settings.AUTHENTICATION_BACKENDS).

Where the users app is hosted it is Django's ModelBackend. Elsewhere nobody
signs in here (the login page is users'); the session, shared through the
cache, names a staff member that users' interface resolves at each request,
so a demotion, deactivation or password change ends it everywhere at once.
"""

import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from apps.common.errors import ServiceUnavailable
from apps.users.contracts import UserNotFound
from apps.users.interface import staff_member_get
from apps.users.staff_replica.models import StaffMember

logger = logging.getLogger(__name__)


class StaffSessionBackend(ModelBackend):
    def authenticate(self, request, **credentials):
        if not settings.AUTH_USER_MODEL_HOSTED:
            return None
        return super().authenticate(request, **credentials)

    def get_user(self, user_id):
        if settings.AUTH_USER_MODEL_HOSTED:
            return super().get_user(user_id)
        try:
            answer = staff_member_get(user_id=user_id)
        except UserNotFound:
            return None
        except ServiceUnavailable:
            # Anonymous until users answers again; the session is kept.
            logger.warning("users unreachable: admin session not resolved")
            return None
        return StaffMember.from_answer(answer=answer)
