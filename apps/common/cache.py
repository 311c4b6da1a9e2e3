"""The one adapter between the project and Django's cache backends.

`RedisCacheReusingClients` is Django's Redis cache keeping one redis-py client
per connection pool: Django's client builds a new `redis.Redis` for every
cache call, and building one costs about as much CPU as its round trip.
`CACHES` points Redis URLs here (config/settings/base.py).

`counters_incr` is the atomic counter with an expiry that Django's cache API
lacks (its `incr` fails on a missing key), for several counters in one round
trip; `counters_take_back` undoes counts, also in one. Every private member of
Django's cache this module relies on is checked by tests/common/test_cache.py.
"""

from collections.abc import Mapping, Sequence

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.commands.core import Script

# INCR each key and, for a counter's first increment, its expiry (ARGV[i],
# milliseconds; 0: none): one atomic step for all the keys.
_INCR_WITH_EXPIRY = Script(
    None,
    b"""
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local expiry_ms = tonumber(ARGV[i])
  if count == 1 and expiry_ms > 0 then
    redis.call('PEXPIRE', key, expiry_ms)
  end
  counts[i] = count
end
return counts
""",
)

# The first ARGV[1] keys lose one count if they still exist; the rest go.
_TAKE_BACK = Script(
    None,
    b"""
local decrements = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  if i > decrements then
    redis.call('DEL', key)
  elseif redis.call('EXISTS', key) == 1 then
    redis.call('DECR', key)
  end
end
return 0
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

    def incr_with_expiry(self, timeouts: Mapping[str, float | None]) -> list[int]:
        expiry_ms = [
            0 if t is None else max(1, round(t * 1000)) for t in timeouts.values()
        ]
        return _INCR_WITH_EXPIRY(
            keys=list(timeouts), args=expiry_ms, client=self.get_client(write=True)
        )

    def take_back(self, decrement: list[str], delete: list[str]) -> None:
        _TAKE_BACK(
            keys=decrement + delete,
            args=[len(decrement)],
            client=self.get_client(write=True),
        )


class RedisCacheReusingClients(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    def incr_with_expiry(self, timeouts: Mapping[str, float | None]) -> list[int]:
        return self._cache.incr_with_expiry(
            {self.make_and_validate_key(k): t for k, t in timeouts.items()}
        )

    def take_back(self, decrement: Sequence[str], delete: Sequence[str]) -> None:
        self._cache.take_back(
            [self.make_and_validate_key(key) for key in decrement],
            [self.make_and_validate_key(key) for key in delete],
        )


def counter_incr(*, key: str, timeout: float | None) -> int:
    """Add one to the counter at `key` in the default cache and return its new
    value, atomically; a missing counter starts at one and expires `timeout`
    seconds later (None: never)."""
    return counters_incr({key: timeout})[0]


def counters_incr(timeouts: Mapping[str, float | None]) -> list[int]:
    """`counter_incr` for each key of `timeouts` (key: its timeout), in one
    atomic step on Redis; the new counts, in the same order."""
    cache = caches[DEFAULT_CACHE_ALIAS]  # the backend itself, not its proxy
    if isinstance(cache, RedisCacheReusingClients):
        return cache.incr_with_expiry(timeouts)
    return [_incr_one(cache, key, timeout) for key, timeout in timeouts.items()]


def _incr_one(cache, key: str, timeout: float | None) -> int:
    # Other backends' add and incr are atomic each (local memory: under a lock).
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the add and the incr
        cache.set(key, 1, timeout=timeout)
        return 1


def counters_take_back(
    *, decrement: Sequence[str] = (), delete: Sequence[str] = ()
) -> None:
    """Take one count back from each counter of `decrement` that has not
    expired, and delete the counters of `delete`: one step on Redis."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(cache, RedisCacheReusingClients):
        cache.take_back(decrement, delete)
        return
    for key in decrement:
        try:
            cache.decr(key)
        except ValueError:  # expired meanwhile: nothing left to take back
            pass
    cache.delete_many(list(delete))
