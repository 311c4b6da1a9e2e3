"""The one adapter between the project and Django's cache backends.

`RedisCacheReusingClients` is Django's Redis cache keeping one redis-py client
per connection pool: Django's client builds a new `redis.Redis` for every
cache call, and building one costs about as much CPU as its round trip.
`CACHES` points Redis URLs here (config/settings/base.py).

`counter_incr` is the atomic counter with an expiry that Django's cache API
lacks (its `incr` fails on a missing key). Every private member of Django's
cache this module relies on is checked by tests/common/test_cache.py.
"""

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.commands.core import Script

# INCR and, for the counter's first increment, its expiry: one atomic step.
_INCR_WITH_EXPIRY = Script(
    None,
    b"""
local count = redis.call('INCR', KEYS[1])
local expiry_ms = tonumber(ARGV[1])
if count == 1 and expiry_ms > 0 then
  redis.call('PEXPIRE', KEYS[1], expiry_ms)
end
return count
""",
)


class _ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def incr_with_expiry(self, key: str, timeout: float | None) -> int:
        expiry_ms = 0 if timeout is None else max(1, round(timeout * 1000))
        return _INCR_WITH_EXPIRY(
            keys=[key], args=[expiry_ms], client=self.get_client(key, write=True)
        )


class RedisCacheReusingClients(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    def incr_with_expiry(self, key: str, timeout: float | None) -> int:
        return self._cache.incr_with_expiry(self.make_and_validate_key(key), timeout)


def counter_incr(*, key: str, timeout: float | None) -> int:
    """Add one to the counter at `key` in the default cache and return its new
    value, atomically; a missing counter starts at one and expires `timeout`
    seconds later (None: never)."""
    cache = caches[DEFAULT_CACHE_ALIAS]  # the backend itself, not its proxy
    if isinstance(cache, RedisCacheReusingClients):
        return cache.incr_with_expiry(key, timeout)
    # Other backends' add and incr are atomic each (local memory: under a lock).
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the add and the incr
        cache.set(key, 1, timeout=timeout)
        return 1
