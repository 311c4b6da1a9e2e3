"""ExactRateThrottleMixin: exact counts in fixed windows, on the local-memory
cache (embedded) and the Redis cache (services mode) alike."""

import threading
import uuid
from types import SimpleNamespace

from django.core.cache import cache
from rest_framework.throttling import UserRateThrottle

from apps.common.throttling import ExactRateThrottleMixin

WINDOW_START = 1_800_000_000.0  # a multiple of 60 and of 3600


class FivePerMinute(ExactRateThrottleMixin, UserRateThrottle):
    rate = "5/min"


class NonePerHour(ExactRateThrottleMixin, UserRateThrottle):
    rate = "0/hour"


def request_of(user_id) -> SimpleNamespace:
    user = SimpleNamespace(is_authenticated=True, pk=user_id)
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})


def at(throttle, seconds: float):
    throttle.timer = lambda: seconds
    return throttle


def test_the_limit_holds_and_the_wait_is_until_the_window_ends():
    request = request_of(uuid.uuid4())
    throttles = [at(FivePerMinute(), WINDOW_START + 15) for _ in range(6)]

    answers = [throttle.allow_request(request, None) for throttle in throttles]

    assert answers == [True] * 5 + [False]
    assert throttles[-1].wait() == 45
    assert at(FivePerMinute(), WINDOW_START + 15).allow_request(
        request_of(uuid.uuid4()), None
    )


def test_the_next_window_admits_again():
    request = request_of(uuid.uuid4())
    for _ in range(5):
        at(FivePerMinute(), WINDOW_START + 59).allow_request(request, None)

    assert not at(FivePerMinute(), WINDOW_START + 59).allow_request(request, None)
    assert at(FivePerMinute(), WINDOW_START + 60).allow_request(request, None)


def test_simultaneous_requests_are_counted_exactly():
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


def test_a_history_left_by_drfs_own_throttle_does_no_harm():
    request = request_of(uuid.uuid4())
    throttle = FivePerMinute()
    cache.set(throttle.get_cache_key(request, None), [1.0, 2.0], 60)

    assert throttle.allow_request(request, None)


def test_a_rate_of_zero_refuses_for_the_rest_of_the_window():
    throttle = at(NonePerHour(), WINDOW_START + 600)

    assert not throttle.allow_request(request_of(uuid.uuid4()), None)
    assert throttle.wait() == 3000
