"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's client builds a new `redis.Redis` for every cache call, and building
one (its table of response callbacks) costs about as much CPU as the round
trip it makes; the throttles call the cache on every request. A client only
wraps its pool and is safe to share, so one per pool is kept and reused.
`CACHES` points Redis URLs here (config/settings/base.py).
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


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


class RedisCacheReusingClients(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients


def redis_client_of(cache):
    """The redis-py client behind a cache of this backend (for atomic
    operations Django's cache API lacks), or None for any other backend."""
    clients = getattr(cache, "_cache", None)
    if not isinstance(clients, _ReusedClients):
        return None
    return clients.get_client(write=True)
