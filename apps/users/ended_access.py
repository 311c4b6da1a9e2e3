"""Access tokens ended by a logout or with their family (imported by the
authentication class, so it stays free of the app's services). Access tokens
are stateless: one ended by a logout, or the family of a replayed refresh
token, is remembered in the cache (shared by every process in services mode)
until its access tokens would have expired."""

import logging
import math
import time

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

logger = logging.getLogger(__name__)


# The id of the login a token descends from, shared by every rotation.
FAMILY_CLAIM = "family"


def _ended_key(jti: str) -> str:
    return f"users:ended-access:{jti}"


def _ended_family_key(family: str) -> str:
    return f"users:ended-family:{family}"


def access_token_end(access: Token) -> None:
    seconds_left = math.ceil(access["exp"] - time.time())
    if seconds_left > 0:
        cache.set(_ended_key(access[jwt_settings.JTI_CLAIM]), True, seconds_left)


def family_end(family: str) -> None:
    lifetime = jwt_settings.ACCESS_TOKEN_LIFETIME.total_seconds()
    cache.set(_ended_family_key(family), True, math.ceil(lifetime))


def access_token_ended(access: Token) -> bool:
    """Whether a logout or its family's end ended this (otherwise valid)
    access token. An
    unreachable cache counts as "no": the token expires within minutes
    anyway, and every authenticated request would fail otherwise."""
    try:
        keys = [_ended_key(access[jwt_settings.JTI_CLAIM])]
        if access.get(FAMILY_CLAIM):
            keys.append(_ended_family_key(access[FAMILY_CLAIM]))
        return any(cache.get(key) is not None for key in keys)
    except RedisError:
        logger.warning("cache unreachable: logout check skipped", exc_info=True)
        return False
