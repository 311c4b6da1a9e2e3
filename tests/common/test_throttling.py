"""ExactRateThrottleMixin: exact counts on the Redis cache (services mode),
DRF's own logic on any other cache."""

import threading
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from rest_framework.throttling import UserRateThrottle

from apps.common.cache import redis_client_of
from apps.common.throttling import ExactRateThrottleMixin


class FivePerMinute(ExactRateThrottleMixin, UserRateThrottle):
    rate = "5/min"


class TwoPerMinute(ExactRateThrottleMixin, UserRateThrottle):
    rate = "2/min"


class NonePerHour(ExactRateThrottleMixin, UserRateThrottle):
    rate = "0/hour"


def request_of(user_id) -> SimpleNamespace:
    user = SimpleNamespace(is_authenticated=True, pk=user_id)
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})


def test_the_limit_holds_and_the_wait_is_until_the_oldest_request_leaves():
    request = request_of(uuid.uuid4())
    throttles = [FivePerMinute() for _ in range(6)]

    answers = [throttle.allow_request(request, None) for throttle in throttles]

    assert answers == [True] * 5 + [False]
    assert 59 <= throttles[-1].wait() <= 60
    assert FivePerMinute().allow_request(request_of(uuid.uuid4()), None)


@pytest.mark.services  # the Redis cache
def test_simultaneous_requests_are_counted_exactly():
    assert redis_client_of(cache) is not None
    request = request_of(uuid.uuid4())
    start = threading.Barrier(20)
    answers = []

    def one():
        throttle = FivePerMinute()
        start.wait()
        answers.append(throttle.allow_request(request, None))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [False] * 15 + [True] * 5


@pytest.mark.services  # the Redis cache
def test_a_history_left_by_drfs_own_throttle_does_no_harm():
    assert redis_client_of(cache) is not None
    request = request_of(uuid.uuid4())
    throttle = FivePerMinute()
    cache.set(throttle.get_cache_key(request, None), [1.0, 2.0], 60)

    assert throttle.allow_request(request, None)


def test_a_rate_of_zero_refuses_for_the_whole_window():
    throttle = NonePerHour()

    assert not throttle.allow_request(request_of(uuid.uuid4()), None)
    assert throttle.wait() == 3600


@pytest.mark.services  # the Redis cache
def test_after_a_lowered_limit_the_wait_is_until_enough_entries_left():
    request = request_of(uuid.uuid4())
    for at in (1000.0, 1010.0, 1020.0, 1030.0, 1040.0):
        throttle = FivePerMinute()
        throttle.timer = lambda at=at: at
        assert throttle.allow_request(request, None)
    lowered = TwoPerMinute()
    lowered.timer = lambda: 1050.0

    assert not lowered.allow_request(request, None)
    # Once 1000-1030 have left (at 1090), one entry remains: under two.
    assert lowered.wait() == 40.0
