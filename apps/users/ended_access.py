"""Access tokens ended by a logout (imported by the authentication class, so
it stays free of the app's services). Access tokens are stateless: one ended
by a logout is remembered in the cache (shared by every process in services
mode) until it would have expired."""

import logging
import math
import time

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

logger = logging.getLogger(__name__)


def _ended_key(jti: str) -> str:
    return f"users:ended-access:{jti}"


def access_token_end(access: Token) -> None:
    seconds_left = math.ceil(access["exp"] - time.time())
    if seconds_left > 0:
        cache.set(_ended_key(access[jwt_settings.JTI_CLAIM]), True, seconds_left)


def access_token_ended(access: Token) -> bool:
    """Whether a logout ended this (otherwise valid) access token. An
    unreachable cache counts as "no": the token expires within minutes
    anyway, and every authenticated request would fail otherwise."""
    try:
        return cache.get(_ended_key(access[jwt_settings.JTI_CLAIM])) is not None
    except RedisError:
        logger.warning("cache unreachable: logout check skipped", exc_info=True)
        return False
