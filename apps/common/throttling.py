"""Rate limits counted exactly under concurrency: the project's one throttle
mechanism.

A limit is counted in fixed windows: one counter per subject and window in
the shared cache, raised by an atomic increment (apps.common.cache), so
simultaneous requests never overwrite each other's count the way DRF's own
throttles do (they read a request history and write it back). The API's
throttles mix `ExactRateThrottleMixin` into a DRF throttle; other limits
(login attempts) count with `window_hit` before the work they limit, and take
a count back with `window_unhit` where the outcome says it should not count.
"""

import math
from dataclasses import dataclass

from django.core.cache import cache

from apps.common.cache import counter_incr

_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class RateWindow:
    """At most `limit` per `duration` seconds, windows aligned to the epoch."""

    limit: int
    duration: int

    @classmethod
    def of_rate(cls, rate: str) -> "RateWindow":
        """From DRF's rate notation, e.g. "10/min"."""
        count, period = rate.split("/")
        return cls(limit=int(count), duration=_PERIOD_SECONDS[period[0]])

    def key(self, subject: str, now: float) -> str:
        return f"{subject}:window:{self.duration}:{int(now // self.duration)}"

    def seconds_left(self, now: float) -> float:
        return self.duration - now % self.duration

    def retry_after(self, now: float) -> int:
        """Whole seconds until the window ends, at least one."""
        return max(1, math.ceil(self.seconds_left(now)))


def window_hit(*, subject: str, window: RateWindow, now: float) -> int:
    """Count one more for `subject` in the window of `now`; returns the count."""
    # Kept a second past the window so a late reader still sees a full one.
    return counter_incr(key=window.key(subject, now), timeout=window.duration + 1)


def window_unhit(*, subject: str, window: RateWindow, now: float) -> None:
    """Take one count back (an attempt that proved allowed after counting)."""
    try:
        cache.decr(window.key(subject, now))
    except ValueError:  # the window ended meanwhile; nothing left to take back
        pass


def window_clear(*, subject: str, window: RateWindow, now: float) -> None:
    cache.delete(window.key(subject, now))


class ExactRateThrottleMixin:
    """Mix in before a DRF SimpleRateThrottle subclass."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.window = RateWindow(limit=self.num_requests, duration=self.duration)
        count = window_hit(subject=self.key, window=self.window, now=self.now)
        return count <= self.window.limit

    def wait(self):
        return self.window.seconds_left(self.now)
