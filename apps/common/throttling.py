"""Rate throttles that count exactly under concurrency.

DRF's rate throttles read a client's request history from the cache and
write it back: simultaneous requests overwrite each other's entries and get
past the limit (DRF's documentation leaves exact counting to a class of
one's own). On the Redis cache one Lua script trims the window, counts and
records the request atomically, in one round trip (DRF's way takes two, with
a pickled list); with any other cache (the embedded default's) DRF's own
logic runs.
"""

import functools
import uuid

from apps.common.cache import redis_client_of

# A sorted set per client: one member per admitted request, scored by its time.
_ADMIT = """
local key, now = KEYS[1], tonumber(ARGV[1])
local window, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return {1, ''}
end
return {0, redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]}
"""


class ExactRateThrottleMixin:
    """Mix in before a DRF SimpleRateThrottle subclass."""

    oldest_in_window: float | None = None

    def allow_request(self, request, view):
        client = redis_client_of(self.cache)
        if client is None or self.rate is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        admitted, oldest = _admit_script(client)(
            # Its own key: DRF's way stored a pickled list under `self.key`.
            keys=[self.cache.make_key(f"{self.key}:window")],
            args=[self.now, self.duration, self.num_requests, uuid.uuid4().hex],
        )
        if admitted:
            return True
        self.oldest_in_window = float(oldest)
        return False

    def wait(self):
        if self.oldest_in_window is None:
            return super().wait()
        return max(0.0, self.oldest_in_window + self.duration - self.now)


@functools.cache  # one per client; the cache keeps one client per pool
def _admit_script(client):
    return client.register_script(_ADMIT)
