"""Failed-login throttling per account and per client address.

Counted with the kernel's rate windows (apps.common.throttling): fixed
windows in the shared cache raised atomically, so concurrent attempts cannot
slip past the limit. Only failures count; an unknown e-mail counts like a
known one, so the answers for both stay the same. Rates:
DEFAULT_THROTTLE_RATES `login_account` and `login_ip`.
"""

import hashlib
import time

from rest_framework.settings import api_settings

from apps.common.throttling import (
    RateWindow,
    window_clear,
    window_count,
    window_hit,
)
from apps.users.errors import LoginThrottled

_now = time.time  # replaced in tests


def _subject(scope: str, identity: str) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"users:login-failures:{scope}:{digest}"


def _window(scope: str) -> RateWindow:
    return RateWindow.of_rate(api_settings.DEFAULT_THROTTLE_RATES[scope])


def _windows(*, account: str, address: str) -> list[tuple[str, RateWindow]]:
    return [
        (_subject("login_account", account), _window("login_account")),
        (_subject("login_ip", address), _window("login_ip")),
    ]


def login_throttle_check(*, account: str, address: str) -> None:
    """Raises LoginThrottled while either window is full."""
    now = _now()
    waits = [
        window.retry_after(now)
        for subject, window in _windows(account=account, address=address)
        if window_count(subject=subject, window=window, now=now) >= window.limit
    ]
    if waits:
        raise LoginThrottled(retry_after=max(waits))


def login_failure_record(*, account: str, address: str) -> None:
    now = _now()
    for subject, window in _windows(account=account, address=address):
        window_hit(subject=subject, window=window, now=now)


def login_success_record(*, account: str) -> None:
    """A correct password clears the account's failures (not the address's)."""
    window_clear(
        subject=_subject("login_account", account),
        window=_window("login_account"),
        now=_now(),
    )
