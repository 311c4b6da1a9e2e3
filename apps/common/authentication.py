"""Bearer access tokens, verified locally in every deployable.

The signature is checked against the published keys (apps.common.jwt_keys),
then the ended-access list in the shared cache (a logout anywhere reaches
every deployable at its next request). Where the user model is hosted the
user is read from its database (inactive accounts and changed passwords
refused); elsewhere the user is built from the token's claims alone.
Only simplejwt's settings, exceptions and TokenUser are used here: its token
classes import the refresh-token blacklist's models, which live only beside
the user model.
"""

import logging
import math
import time
import uuid
from collections.abc import Mapping

import jwt
from django.conf import settings
from django.core.cache import cache
from django.utils.functional import cached_property
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from redis.exceptions import RedisError
from rest_framework import HTTP_HEADER_ENCODING
from rest_framework.authentication import BaseAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.models import TokenUser
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from apps.common.jwt_keys import ALGORITHM, verifying_key

logger = logging.getLogger(__name__)
INVALID = "Given token not valid for any token type"


# The id of the login a token descends from, shared by every rotation.
FAMILY_CLAIM = "family"
# The user's token version a token was issued under (a new password raises it).
VERSION_CLAIM = "ver"
# Whether the user's e-mail address was verified when the token was issued.
EMAIL_VERIFIED_CLAIM = "email_verified"


def _ended_key(jti: str) -> str:
    return f"auth:ended-access:{jti}"


def _ended_family_key(family: str) -> str:
    return f"auth:ended-family:{family}"


def _ended_user_key(user_id: str) -> str:
    return f"auth:ended-user:{user_id}"


def access_token_end(*, claims: Mapping) -> None:
    """Remember a logged-out access token until it would have expired."""
    seconds_left = math.ceil(claims["exp"] - time.time())
    if seconds_left > 0:
        cache.set(_ended_key(claims[jwt_settings.JTI_CLAIM]), True, seconds_left)


def _remember_while_issued_tokens_live(key: str, value) -> None:
    """Keep `value` until every access token issued so far has expired (a
    second more for the whole seconds of `exp`)."""
    lifetime = jwt_settings.ACCESS_TOKEN_LIFETIME.total_seconds()
    cache.set(key, value, math.ceil(lifetime) + 1)


def family_end(*, family: str) -> None:
    """End every access token of a login family (a replayed refresh token)."""
    _remember_while_issued_tokens_live(_ended_family_key(family), True)


def user_tokens_end(*, user_id: uuid.UUID | str, version: int) -> None:
    """Every deployable refuses the user's access tokens issued under an older
    token version."""
    _remember_while_issued_tokens_live(_ended_user_key(str(user_id)), version)


def version_outdated(*, claims: Mapping, version: int | None) -> bool:
    return version is not None and claims.get(VERSION_CLAIM, 0) < version


def access_token_ended(*, claims: Mapping) -> bool:
    """Ended by a logout, with its family or with its user's earlier tokens.
    An unreachable cache counts as "no": the token expires within minutes
    anyway, and every authenticated request would fail otherwise."""
    user_key = _ended_user_key(str(claims[jwt_settings.USER_ID_CLAIM]))
    keys = [_ended_key(claims[jwt_settings.JTI_CLAIM]), user_key]
    if claims.get(FAMILY_CLAIM):
        keys.append(_ended_family_key(claims[FAMILY_CLAIM]))
    try:
        ended = cache.get_many(keys)
    except RedisError:
        logger.warning("cache unreachable: logout check skipped", exc_info=True)
        return False
    if version_outdated(claims=claims, version=ended.pop(user_key, None)):
        return True
    return bool(ended)


def access_claims(*, raw: str | bytes) -> dict:
    """The claims of a valid, unexpired access token; raises InvalidToken."""
    try:
        claims = jwt.decode(
            raw,
            verifying_key(token=raw),
            algorithms=[ALGORITHM],
            leeway=jwt_settings.LEEWAY,
            options={"require": ["exp", jwt_settings.JTI_CLAIM]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(INVALID) from exc
    if claims.get(jwt_settings.TOKEN_TYPE_CLAIM) != "access":
        raise InvalidToken(INVALID)
    if jwt_settings.USER_ID_CLAIM not in claims:
        raise InvalidToken("Token contained no recognizable user identification")
    return claims


class ClaimsUser(TokenUser):
    """A user known only from the token: the id (a UUID, as every id here)
    and `is_staff` as claims, so `pk` and staff checks match a stored user."""

    @cached_property
    def id(self) -> uuid.UUID:
        return uuid.UUID(str(self.token[jwt_settings.USER_ID_CLAIM]))

    @cached_property
    def pk(self) -> uuid.UUID:
        return self.id


def _stored_user(claims: dict):
    # Imported here: it needs the blacklist's models, installed only where
    # the user model is.
    from rest_framework_simplejwt.authentication import JWTAuthentication

    user = JWTAuthentication().get_user(claims)
    # The stored version decides even if the cache lost the ended mark.
    if version_outdated(claims=claims, version=user.token_version):
        raise InvalidToken(INVALID)
    return user


def _claims_user(claims: dict) -> ClaimsUser:
    user = ClaimsUser(claims)
    try:
        user.pk  # noqa: B018 - a malformed id is refused now, not in a view
    except ValueError as exc:
        raise InvalidToken(INVALID) from exc
    return user


class BearerTokenAuthentication(BaseAuthentication):
    www_authenticate_realm = "api"

    def authenticate(self, request):
        raw = self._raw_token(request)
        if raw is None:
            return None
        claims = access_claims(raw=raw)
        if access_token_ended(claims=claims):
            raise InvalidToken(
                {"detail": "Token was ended by a logout.", "code": "token_not_valid"}
            )
        if settings.AUTH_USER_MODEL_HOSTED:
            return _stored_user(claims), claims
        return _claims_user(claims), claims

    def authenticate_header(self, request) -> str:
        scheme = jwt_settings.AUTH_HEADER_TYPES[0]
        return f'{scheme} realm="{self.www_authenticate_realm}"'

    def _raw_token(self, request) -> bytes | None:
        header = request.META.get(jwt_settings.AUTH_HEADER_NAME, "")
        if isinstance(header, str):
            header = header.encode(HTTP_HEADER_ENCODING)
        parts = header.split()
        schemes = {
            t.encode(HTTP_HEADER_ENCODING) for t in jwt_settings.AUTH_HEADER_TYPES
        }
        if not parts or parts[0] not in schemes:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(
                "Authorization header must contain two space-delimited values",
                code="bad_authorization_header",
            )
        return parts[1]


class BearerTokenScheme(SimpleJWTScheme):
    """The OpenAPI security scheme (drf-spectacular matches by exact class)."""

    target_class = "apps.common.authentication.BearerTokenAuthentication"
