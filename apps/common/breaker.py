"""Circuit breakers, one per remote target, their state shared by every process
through the default cache (Redis in services mode, local memory embedded).

Closed, a call goes ahead and its failure is counted; `failure_threshold`
consecutive failures open the circuit for `open_seconds`, during which calls
fail fast with CircuitOpen. Then it is half-open: one caller makes a trial
call; its success closes the circuit, its failure opens it again.

Every transition rests on one atomic cache operation, so concurrent callers
in any process never lose an update: failures are counted by an atomic
increment, and only the caller whose increment reaches the threshold opens
the circuit; the trial call belongs to the one caller whose `add` of the
trial key (expiring after `open_seconds`) succeeds, and only it re-opens the
circuit. The failure count decides first whether the circuit is closed, so
an open mark left behind by a racing trial never keeps a closed one shut.

Any remote call is guarded the same way: `with breaker.guard(): call()`.
"""

import logging
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from prometheus_client.core import GaugeMetricFamily

from apps.common.cache import counter_incr

logger = logging.getLogger(__name__)


class CircuitOpen(Exception):
    def __init__(self, *, target: str, retry_after: int):
        super().__init__(f"{target} circuit open, retry after {retry_after}s")
        self.target = target
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Admission:
    failures_seen: int
    trial: bool


def _any_exception(exc: Exception) -> bool:
    return True


@dataclass(frozen=True)
class CircuitBreaker:
    target: str
    failure_threshold: int
    open_seconds: float

    def _key(self, part: str) -> str:
        return f"breaker:{self.target}:{part}"

    def raise_if_open(self) -> None:
        """Fail fast while the circuit is open, taking no trial call."""
        failures, open_until = self._read()
        if failures >= self.failure_threshold and open_until > time.time():
            raise self._open_error(open_until)

    @contextmanager
    def guard(
        self, *, counts_as_failure: Callable[[Exception], bool] = _any_exception
    ) -> Iterator[None]:
        """Run the block as a call through the breaker: raises CircuitOpen
        instead while open; an exception `counts_as_failure` is counted, an
        exception that does not leaves the state as it was."""
        admission = self._admit()
        try:
            yield
        except Exception as exc:
            if counts_as_failure(exc):
                self._count_failure(trial=admission.trial)
            raise
        if admission.failures_seen or admission.trial:
            self.record_success()

    def is_tripped(self) -> bool:
        """Open or half-open: the threshold was reached and no call has
        succeeded since."""
        return self._read()[0] >= self.failure_threshold

    def record_success(self) -> None:
        """Close the circuit (a success seen by a probe outside `guard` too)."""
        cache.delete_many(
            [self._key("failures"), self._key("open"), self._key("trial")]
        )

    def _read(self) -> tuple[int, float]:
        values = cache.get_many([self._key("failures"), self._key("open")])
        return values.get(self._key("failures"), 0), values.get(self._key("open"), 0.0)

    def _admit(self) -> _Admission:
        failures, open_until = self._read()
        if failures < self.failure_threshold:
            return _Admission(failures_seen=failures, trial=False)
        if open_until <= time.time() and cache.add(
            self._key("trial"), 1, timeout=self.open_seconds
        ):
            return _Admission(failures_seen=failures, trial=True)
        raise self._open_error(open_until)

    def _count_failure(self, *, trial: bool) -> None:
        failures = counter_incr(key=self._key("failures"), timeout=None)
        if failures == self.failure_threshold or trial:
            # The trial key outlives no open window (it expires `open_seconds`
            # after the trial began), so the next trial waits for this one.
            cache.set(self._key("open"), time.time() + self.open_seconds, None)

    def _open_error(self, open_until: float) -> CircuitOpen:
        # Half-open with the trial taken by another caller: try again shortly.
        retry_after = max(1, math.ceil(open_until - time.time()))
        return CircuitOpen(target=self.target, retry_after=retry_after)


# --- metrics --------------------------------------------------------------------
_watched: dict[str, CircuitBreaker] = {}


def watch(breaker: CircuitBreaker) -> None:
    """Report this breaker's state at every scrape of /metrics."""
    _watched[breaker.target] = breaker


class BreakerStateCollector:
    """`circuit_breaker_open{target}`: 1 while a watched breaker is open or
    half-open, read from the shared cache at scrape time."""

    def collect(self):
        family = GaugeMetricFamily(
            "circuit_breaker_open",
            "1 while the circuit to a target is open or half-open, else 0.",
            labels=["target"],
        )
        for target, breaker in sorted(_watched.items()):
            try:
                family.add_metric([target], int(breaker.is_tripped()))
            except Exception:  # noqa: BLE001 - a cache that is down has no figure
                logger.warning("state of the %s breaker unavailable", target)
        yield family
