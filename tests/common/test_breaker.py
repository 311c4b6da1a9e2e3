"""apps.common.breaker: one breaker's state shared by every caller (threads
here; processes against the real Redis in services mode), its transitions
never losing an update, and the half-open trial."""

import subprocess
import sys
import threading
import uuid

import pytest

from apps.common.breaker import CircuitBreaker, CircuitOpen
from tests.conftest import circuit_is_open

T0 = 1_000_000.0


class Down(Exception):
    pass


@pytest.fixture
def clock(monkeypatch):
    now = [T0]
    monkeypatch.setattr("apps.common.breaker.time.time", lambda: now[0])
    return now


def breaker(threshold: int = 3) -> CircuitBreaker:
    return CircuitBreaker(
        target=f"test-{uuid.uuid4()}",
        failure_threshold=threshold,
        open_seconds=30,
    )


def fail(through: CircuitBreaker) -> None:
    with pytest.raises((Down, CircuitOpen)), through.guard():
        raise Down


def succeed(through: CircuitBreaker) -> bool:
    with through.guard():
        return True


def at_once(count: int, action) -> list:
    start = threading.Barrier(count)
    results: list = []

    def one():
        start.wait()
        try:
            results.append(action())
        except CircuitOpen as exc:
            results.append(exc)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_consecutive_failures_open_it_and_calls_then_fail_fast(clock):
    target = breaker(threshold=3)
    for _ in range(3):
        fail(target)
    ran = []

    with pytest.raises(CircuitOpen) as refused, target.guard():
        ran.append(True)

    assert ran == []
    assert refused.value.retry_after == 30
    assert circuit_is_open(target)


def test_a_success_starts_the_count_again(clock):
    target = breaker(threshold=3)
    fail(target)
    fail(target)

    succeed(target)
    fail(target)
    fail(target)

    assert not circuit_is_open(target)


def test_an_exception_that_is_no_failure_leaves_the_count(clock):
    target = breaker(threshold=1)

    with pytest.raises(KeyError), target.guard(counts_as_failure=lambda exc: False):
        raise KeyError("not the target's fault")

    assert not circuit_is_open(target)


@pytest.mark.parametrize(("failures", "opened"), [(19, False), (20, True)])
def test_simultaneous_failures_are_all_counted(clock, failures, opened):
    target = breaker(threshold=20)

    at_once(failures, lambda: fail(target))

    assert circuit_is_open(target) is opened


def test_once_the_open_window_passed_only_one_caller_makes_the_trial(clock):
    target = breaker(threshold=1)
    fail(target)
    clock[0] += 31
    trial_started, release = threading.Event(), threading.Event()

    def call():
        with target.guard():
            trial_started.set()
            release.wait(10)
            return "called"

    trial = threading.Thread(target=call)
    trial.start()
    trial_started.wait(10)
    others = at_once(5, call)
    release.set()
    trial.join()

    assert all(isinstance(result, CircuitOpen) for result in others)
    assert not circuit_is_open(target)  # the trial succeeded: closed
    assert succeed(target)


def test_a_failed_trial_opens_it_for_another_window(clock):
    target = breaker(threshold=1)
    fail(target)
    clock[0] += 31

    fail(target)  # the trial

    assert circuit_is_open(target)
    with pytest.raises(CircuitOpen) as refused, target.guard():
        pass
    assert refused.value.retry_after == 30


def test_a_probe_outside_the_breaker_closes_it(clock):
    target = breaker(threshold=1)
    fail(target)

    target.record_success()

    assert succeed(target)


def in_another_process(services_env, target: CircuitBreaker, statement: str):
    script = (
        "import django; django.setup()\n"
        "from apps.common.breaker import CircuitBreaker\n"
        f"b = CircuitBreaker(target={target.target!r}, "
        f"failure_threshold={target.failure_threshold}, "
        f"open_seconds={target.open_seconds})\n{statement}"
    )
    subprocess.run([sys.executable, "-c", script], env=services_env(), check=True)


@pytest.mark.services  # two processes share the Redis cache
def test_another_process_sees_and_changes_the_same_breaker(services_env):
    target = breaker(threshold=2)
    fail(target)

    in_another_process(
        services_env,
        target,
        "try:\n    with b.guard():\n        raise OSError\nexcept OSError:\n    pass\n",
    )
    opened_by_the_other = circuit_is_open(target)
    in_another_process(services_env, target, "b.record_success()\n")

    assert opened_by_the_other  # its failure was the second
    assert not circuit_is_open(target)
