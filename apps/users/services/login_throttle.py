"""Failed-login throttling per account and per client address.

Fixed windows counted in the shared cache (locmem embedded, Redis in services
mode) with atomic increments, so concurrent attempts cannot slip past the
limit. Only failures count; an unknown e-mail counts like a known one, so the
answers for both stay the same. Rates: DEFAULT_THROTTLE_RATES `login_account`
and `login_ip`.
"""

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from rest_framework.settings import api_settings

from apps.users.errors import LoginThrottled

DURATIONS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_now = time.time  # replaced in tests


@dataclass(frozen=True)
class _Window:
    scope: str
    subject: str
    limit: int
    duration: int

    @classmethod
    def for_scope(cls, scope: str, subject: str) -> "_Window":
        rate = api_settings.DEFAULT_THROTTLE_RATES[scope]
        count, period = rate.split("/")
        return cls(scope, subject, int(count), DURATIONS[period[0]])

    def key(self, now: float) -> str:
        digest = hashlib.sha256(self.subject.encode()).hexdigest()[:32]
        return f"users:login-failures:{self.scope}:{digest}:{int(now // self.duration)}"

    def retry_after(self, now: float) -> int:
        return max(1, math.ceil(self.duration - now % self.duration))


def _windows(*, account: str, address: str) -> list[_Window]:
    return [
        _Window.for_scope("login_account", account),
        _Window.for_scope("login_ip", address),
    ]


def login_throttle_check(*, account: str, address: str) -> None:
    """Raises LoginThrottled while either window is full."""
    now = _now()
    waits = [
        window.retry_after(now)
        for window in _windows(account=account, address=address)
        if cache.get(window.key(now), 0) >= window.limit
    ]
    if waits:
        raise LoginThrottled(retry_after=max(waits))


def login_failure_record(*, account: str, address: str) -> None:
    now = _now()
    for window in _windows(account=account, address=address):
        key = window.key(now)
        cache.add(key, 0, timeout=window.duration + 1)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window.duration + 1)


def login_success_record(*, account: str) -> None:
    """A correct password clears the account's failures (not the address's)."""
    now = _now()
    window = _Window.for_scope("login_account", account)
    cache.delete(window.key(now))
