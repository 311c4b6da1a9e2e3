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
    request = request_of(uuid.uuid4())
    throttle = FivePerMinute()
    cache.set(throttle.get_cache_key(request, None), [1.0, 2.0], 60)

    assert throttle.allow_request(request, None)
