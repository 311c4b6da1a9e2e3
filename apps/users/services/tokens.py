"""JWT issue, rotation and revocation (simplejwt with its blacklist app).

Rotation is race-free: the used refresh token is blacklisted by inserting its
BlacklistedToken row (unique per token) in the same transaction that mints the
new pair, and a failed insert means another request already rotated it. The
database decides, so twenty concurrent refreshes of one token yield one pair.

Every token of one login carries the login's family id. A spent refresh token
presented again means two holders, one a thief: the family ends, its live
refresh token blacklisted and its access tokens refused.
"""

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import RefreshToken, UntypedToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from apps.common.authentication import (
    EMAIL_VERIFIED_CLAIM,
    FAMILY_CLAIM,
    VERSION_CLAIM,
    access_token_end,
    family_end,
    user_tokens_end,
)
from apps.common.db import atomic_for, on_commit_for
from apps.common.errors import ValidationFailed
from apps.users.errors import InvalidCredentials, TokenInvalid
from apps.users.models import User
from apps.users.selectors import user_find
from apps.users.services.login_throttle import login_attempt


def token_pair_for(user: User, *, family: str | None = None) -> dict[str, str]:
    """A new pair; a new family unless `family` continues one (rotation)."""
    refresh = RefreshToken.for_user(user)
    # Deployables without the user model check staff from the token alone.
    refresh["is_staff"] = user.is_staff
    refresh[VERSION_CLAIM] = user.token_version
    refresh[EMAIL_VERIFIED_CLAIM] = user.email_verified
    jti = refresh[jwt_settings.JTI_CLAIM]
    refresh[FAMILY_CLAIM] = family or jti
    if family is not None:
        # The stored copy of a rotated token carries its family, so the family
        # can be found and ended; a login's first token is its own family
        # (`_family_of`), which spares every login this write.
        OutstandingToken.objects.filter(jti=jti).update(token=str(refresh))
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def _family_of(outstanding: OutstandingToken) -> str:
    # Stored by this module, so decoding it needs no signature check.
    claims = RefreshToken(outstanding.token, verify=False)
    return claims.get(FAMILY_CLAIM) or outstanding.jti


def user_authenticate(*, email: str, password: str, client_address: str) -> User:
    """The active user these credentials belong to (API and admin login).

    Throttled before the password is even looked at; every failure (unknown
    e-mail, wrong password, inactive account) is the same InvalidCredentials.
    """
    account = User.objects.normalize_email(email)
    user = login_attempt(
        account=account,
        address=client_address,
        check=lambda: _may_log_in(authenticate(email=account, password=password)),
    )
    if user is None:
        raise InvalidCredentials()
    return user


def _may_log_in(user: User | None) -> User | None:
    # An unverified account is refused like a wrong password where the shop
    # allows it nothing: a stranger cannot tell it from a taken address.
    if user is not None and not user.email_verified:
        if settings.UNVERIFIED_ACCOUNTS_MAY == "nothing":
            return None
    return user


def token_obtain(*, email: str, password: str, client_address: str) -> dict[str, str]:
    """A token pair for valid credentials of an active user."""
    user = user_authenticate(
        email=email, password=password, client_address=client_address
    )
    return token_pair_for(user)


def _refresh_token(raw: str) -> RefreshToken:
    """Signature, expiry, type and blacklist checked; raises TokenError."""
    return RefreshToken(raw)


def _token_user(token: RefreshToken) -> User | None:
    """The active user the token belongs to (a new password blacklisted the
    user's refresh tokens: tokens_revoke_all)."""
    user = user_find(token.get(jwt_settings.USER_ID_CLAIM, ""))
    if user is None or not user.is_active:
        return None
    return user


def _outstanding(token: RefreshToken, user: User | None) -> OutstandingToken:
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=token[jwt_settings.JTI_CLAIM],
        defaults={
            "user": user,
            "created_at": timezone.now(),
            "token": str(token),
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    return outstanding


def token_refresh(*, refresh: str) -> dict[str, str]:
    """Rotate: the given refresh token is spent, a new pair is returned."""
    try:
        token = _refresh_token(refresh)
    except TokenError as exc:
        _family_end_if_spent(refresh)
        raise TokenInvalid() from exc
    user = _token_user(token)
    if user is None:
        raise TokenInvalid()
    try:
        with atomic_for(User):
            BlacklistedToken.objects.create(token=_outstanding(token, user))
            return token_pair_for(user, family=token.get(FAMILY_CLAIM))
    except IntegrityError as exc:  # a concurrent refresh spent it first
        raise TokenInvalid() from exc


def _family_end_if_spent(raw: str) -> None:
    """A genuine, unexpired refresh token already blacklisted ends its family."""
    try:
        token = UntypedToken(raw)  # signature and expiry, not the blacklist
    except TokenError:
        return
    family = token.get(FAMILY_CLAIM)
    if token.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh" or family is None:
        return
    spent = BlacklistedToken.objects.filter(
        token__jti=token.get(jwt_settings.JTI_CLAIM)
    ).exists()
    user = user_find(token.get(jwt_settings.USER_ID_CLAIM, "")) if spent else None
    if user is not None:
        _family_refresh_revoke(user=user, family=family)
        family_end(family=family)


def _family_refresh_revoke(*, user: User, family: str) -> None:
    """Blacklist the family's live refresh tokens (rotation leaves one)."""
    with atomic_for(User):
        live = OutstandingToken.objects.filter(
            user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
        )
        rows = [
            BlacklistedToken(token=outstanding)
            for outstanding in live
            if _family_of(outstanding) == family
        ]
        BlacklistedToken.objects.bulk_create(rows, ignore_conflicts=True)


def token_revoke(*, refresh: str, user: User, access: Mapping | None = None) -> None:
    """Logout: blacklist one live refresh token of `user`, and end the access
    token the request ran with (`access`), which would otherwise live on."""
    invalid = ValidationFailed({"refresh": ["Token is invalid, expired or revoked."]})
    try:
        token = _refresh_token(refresh)
    except TokenError as exc:
        raise invalid from exc
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise invalid
    with atomic_for(User):
        BlacklistedToken.objects.get_or_create(token=_outstanding(token, user))
    if access is not None:
        access_token_end(claims=access)


# PostgreSQL takes at most 65,535 parameters per statement (server-side
# binding, config/databases.py): large sets of tokens go in batches.
BATCH_SIZE = 1000


def tokens_revoke_all(*, user: User) -> int:
    """Blacklist every unexpired refresh token of `user` and end the access
    tokens issued so far; returns how many refresh tokens."""
    with atomic_for(User):
        User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
        user.refresh_from_db(fields=["token_version"])
        pending = OutstandingToken.objects.filter(
            user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
        )
        rows = [BlacklistedToken(token=token) for token in pending]
        BlacklistedToken.objects.bulk_create(
            rows, ignore_conflicts=True, batch_size=BATCH_SIZE
        )
        # Bound now: an account erased in this transaction has no pk after it.
        user_id, version = user.pk, user.token_version
        on_commit_for(User, lambda: user_tokens_end(user_id=user_id, version=version))
    return len(rows)


def tokens_prune_expired(*, batch_size: int = BATCH_SIZE) -> int:
    """Delete expired refresh tokens (and their blacklist rows) in batches,
    each its own short transaction; returns how many. simplejwt's
    `flushexpiredtokens` deletes them all in one statement, which a large
    backlog would push past the parameter limit."""
    deleted = 0
    while True:
        batch = list(
            OutstandingToken.objects.filter(expires_at__lte=timezone.now())
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return deleted
        with atomic_for(User):
            OutstandingToken.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
