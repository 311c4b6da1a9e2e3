"""apps.common.cache, the adapter over Django's cache backends: what it relies
on in Django's Redis cache, and its atomic counter on whichever cache runs."""

import threading
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCacheClient, RedisSerializer

from apps.common.cache import (
    RedisCacheReusingClients,
    _ReusedClients,
    counter_incr,
    counters_incr,
    counters_take_back,
)


def unused_redis_cache() -> RedisCacheReusingClients:
    # Nothing listens there: building clients makes no connection.
    return RedisCacheReusingClients("redis://127.0.0.1:1/0", {"KEY_PREFIX": "t"})


def test_django_still_builds_the_client_class_the_adapter_puts_in_place():
    backend = unused_redis_cache()

    assert isinstance(backend._cache, _ReusedClients)
    assert backend._cache._client is redis.Redis


def test_django_still_gives_the_pool_the_adapter_keeps_one_client_for():
    clients = unused_redis_cache()._cache

    pool = clients._get_connection_pool(True)

    assert isinstance(pool, redis.ConnectionPool)
    assert clients._get_connection_pool(True) is pool
    assert clients.get_client(write=True).connection_pool is pool
    assert clients.get_client(write=True) is clients.get_client(write=True)
    assert "write" in RedisCacheClient.get_client.__code__.co_varnames


def test_django_still_stores_integers_raw_so_cache_get_reads_a_counter():
    serializer = RedisSerializer()

    assert serializer.dumps(41) == 41
    assert serializer.loads(b"42") == 42
    assert unused_redis_cache().make_and_validate_key("k") == "t:1:k"


def test_a_counter_starts_at_one_and_is_read_by_the_cache():
    key = f"counter-{uuid.uuid4()}"

    assert counter_incr(key=key, timeout=30) == 1
    assert counter_incr(key=key, timeout=30) == 2
    assert cache.get(key) == 2


def test_simultaneous_increments_are_never_lost():
    key = f"counter-{uuid.uuid4()}"
    start = threading.Barrier(20)
    seen: list[int] = []

    def one():
        start.wait()
        seen.append(counter_incr(key=key, timeout=30))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(seen) == list(range(1, 21))


@pytest.mark.services
def test_a_redis_cache_url_selects_the_adapters_backend():
    assert (
        settings.CACHES["default"]["BACKEND"]
        == "apps.common.cache.RedisCacheReusingClients"
    )
    assert isinstance(caches[DEFAULT_CACHE_ALIAS], RedisCacheReusingClients)


@pytest.mark.services
def test_a_counter_expires_with_its_first_increment_only():
    key = f"counter-{uuid.uuid4()}"
    counter_incr(key=key, timeout=30)
    client = cache._cache.get_client(write=True)
    stored = cache.make_and_validate_key(key)
    client.pexpire(stored, 60_000)

    counter_incr(key=key, timeout=30)

    assert client.pttl(stored) > 30_000


def test_several_counters_count_in_one_step_each_from_its_own_count():
    first, second = f"counter-{uuid.uuid4()}", f"counter-{uuid.uuid4()}"
    counter_incr(key=first, timeout=30)

    assert counters_incr({first: 30, second: 60}) == [2, 1]
    assert cache.get_many([first, second]) == {first: 2, second: 1}


def test_taking_back_decrements_live_counters_and_deletes_the_others():
    kept, gone, never = (f"counter-{uuid.uuid4()}" for _ in range(3))
    counters_incr({kept: 30, gone: 30})
    counters_incr({kept: 30})

    counters_take_back(decrement=[kept, never], delete=[gone])

    assert cache.get(kept) == 1
    assert cache.get(gone) is None
    assert cache.get(never) is None  # a counter that expired is not brought back
