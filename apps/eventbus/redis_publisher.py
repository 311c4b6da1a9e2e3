"""The transport of the event publisher's own broker connection on Redis.

Kombu's Redis channel builds a new redis-py client for every message it
publishes, and a client's constructor registers some 170 response callbacks:
a third of the CPU of handing one event over. The publisher's channel keeps
one client on the channel's pool instead (redis-py clients are thread-safe;
the publisher's connection is per thread anyway). Worker and beat connections
keep kombu's stock transport.
"""

from kombu.transport import redis as kombu_redis
from kombu.utils.objects import cached_property


class PublisherChannel(kombu_redis.Channel):
    @cached_property
    def _command_client(self):
        return super()._create_client()

    def _create_client(self, asynchronous=False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        return self._command_client


class PublisherTransport(kombu_redis.Transport):
    Channel = PublisherChannel


REDIS_SCHEMES = ("redis", "rediss")
