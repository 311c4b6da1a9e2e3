"""Rate limits counted exactly under concurrency: the project's one throttle
mechanism.

A limit is counted in fixed windows: one counter per subject and window in
the shared cache, raised by an atomic increment (apps.common.cache), so
simultaneous requests never overwrite each other's count the way DRF's own
throttles do (they read a request history and write it back). The API's
throttles mix `ExactRateThrottleMixin` into a DRF throttle; other limits
(login attempts) count with `windows_hit` before the work they limit, and take
counts back with `windows_settle` where the outcome says they should not count.
"""

import math
from dataclasses import dataclass

from apps.common.cache import counters_incr, counters_take_back

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
    return windows_hit([(subject, window)], now=now)[0]


def windows_hit(counted: list[tuple[str, RateWindow]], *, now: float) -> list[int]:
    """`window_hit` for each (subject, window), in one round trip."""
    # Kept a second past the window so a late reader still sees a full one.
    return counters_incr(
        {window.key(subject, now): window.duration + 1 for subject, window in counted}
    )


def windows_settle(
    *,
    unhit: list[tuple[str, RateWindow]],
    clear: list[tuple[str, RateWindow]],
    now: float,
) -> None:
    """In one round trip, take one count back from each of `unhit` (attempts
    that proved allowed after counting) and forget `clear` in the window of
    `now`."""
    counters_take_back(
        decrement=[window.key(subject, now) for subject, window in unhit],
        delete=[window.key(subject, now) for subject, window in clear],
    )


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
