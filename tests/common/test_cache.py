"""The Redis cache backend reuses one redis-py client per connection pool
(services mode: the cache is Redis)."""

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.services


def test_a_redis_cache_url_selects_the_backend_that_reuses_its_clients():
    assert (
        settings.CACHES["default"]["BACKEND"]
        == "apps.common.cache.RedisCacheReusingClients"
    )


def test_cache_calls_share_one_client_and_still_work():
    client = cache._cache.get_client(write=True)

    cache.set("cache-test-key", 41, 30)
    assert cache.incr("cache-test-key") == 42
    assert cache.get("cache-test-key") == 42
    assert cache.delete("cache-test-key")

    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is cache._cache.get_client()
