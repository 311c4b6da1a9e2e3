"""Rate throttles that count exactly under concurrency.

DRF's rate throttles read a client's request history from the cache and
write it back: simultaneous requests overwrite each other's entries and get
past the limit (DRF's documentation leaves exact counting to a class of
one's own). On the Redis cache one Lua script trims the window, counts and
records the request atomically, in one round trip (DRF's way takes two, with
a pickled list); with any other cache (the embedded default's) DRF's own
logic runs.
"""

import uuid

from redis.commands.core import Script

from apps.common.cache import redis_client_of

# A sorted set per client: one member per admitted request, scored by its
# time. A refusal returns when the client may try again: once the entry at
# (count - limit) has left the window (the oldest one when the count is the
# limit; a later one after the limit was lowered).
_ADMIT = Script(
    None,
    b"""
local key, now = KEYS[1], tonumber(ARGV[1])
local window, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return {1, ''}
end
local last_to_leave = count - limit
return {0, redis.call('ZRANGE', key, last_to_leave, last_to_leave, 'WITHSCORES')[2]}
""",
)


class ExactRateThrottleMixin:
    """Mix in before a DRF SimpleRateThrottle subclass."""

    # Set on a refusal: when the entry that must leave the window before the
    # next admission was recorded.
    blocking_entry_at: float | None = None

    def allow_request(self, request, view):
        client = redis_client_of(self.cache)
        if client is None or self.rate is None:
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        if self.num_requests <= 0:  # a rate of 0: closed for the whole window
            self.blocking_entry_at = self.now
            return False
        admitted, entered_at = _ADMIT(
            # Its own key: DRF's way stored a pickled list under `self.key`.
            keys=[self.cache.make_key(f"{self.key}:window")],
            args=[self.now, self.duration, self.num_requests, uuid.uuid4().hex],
            client=client,
        )
        if admitted:
            return True
        self.blocking_entry_at = float(entered_at)
        return False

    def wait(self):
        if self.blocking_entry_at is None:
            return super().wait()
        return max(0.0, self.blocking_entry_at + self.duration - self.now)
