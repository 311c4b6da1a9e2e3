"""One redis-py client per channel for the event publisher's own connection.

Kombu's Redis channel builds a new redis-py client for every message it
publishes, and a client's constructor registers some 170 response callbacks:
a third of the CPU of handing one event over. The publisher's channel keeps
one client on the channel's pool instead (redis-py clients are thread-safe;
the publisher's connection is per thread anyway). Worker and beat connections
keep kombu's stock channel.
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

    def _disconnect_pools(self):
        # The client holds the pool being dropped (a fork, a close).
        self.__dict__.pop("_command_client", None)
        super()._disconnect_pools()


def reuse_one_client(connection) -> None:
    """Give `connection`'s new channels the publisher channel, on kombu's
    plain Redis transport only (redis:// and rediss://, which kombu set up
    with its own URL, TLS and failover handling); Sentinel and other brokers
    keep theirs. Makes no network call."""
    transport = connection.transport
    if type(transport) is kombu_redis.Transport:
        transport.Channel = PublisherChannel
