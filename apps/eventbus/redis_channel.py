"""One redis-py client per channel, for the broker connections of the event
publisher and of the worker.

Kombu's Redis channel builds a new redis-py client for every command it sends
outside its consuming loop (a message published; in the worker, each message
recorded as unacknowledged and each ack), and a client's constructor registers
every response callback anew. `OneClientChannel` keeps one client on the
channel's pool instead (redis-py clients are thread-safe). This module is the
one adapter to kombu's private channel methods; tests/eventbus/
test_redis_channel.py fails if kombu changes them.
"""

from kombu.transport import redis as kombu_redis
from kombu.utils.objects import cached_property


class OneClientChannel(kombu_redis.Channel):
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
    """Give `connection`'s new channels the one-client channel, on kombu's
    plain Redis transport only (redis:// and rediss://, which kombu set up
    with its own URL, TLS and failover handling); Sentinel and other brokers
    keep theirs. Makes no network call (it builds the transport, which opens
    an epoll descriptor); call it before the connection is first used
    (connecting opens its first channel). A failover URL list (`redis://a;
    redis://b`) gets kombu's stock channel again after it switches brokers:
    slower, not wrong."""
    transport = connection.transport
    if type(transport) is kombu_redis.Transport:
        transport.Channel = OneClientChannel
