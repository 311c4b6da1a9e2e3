"""The one-client Redis channel (no broker needed: nothing here connects)."""

from kombu import Connection
from kombu.transport import redis as kombu_redis

from apps.eventbus.redis_channel import OneClientChannel, reuse_one_client


def test_a_tls_broker_url_keeps_tls_and_gets_the_one_client_channel():
    connection = Connection("rediss://:secret@broker.example:6380/0")

    reuse_one_client(connection)

    assert connection.ssl  # kombu's default TLS for rediss:// is kept
    assert connection.transport.Channel is OneClientChannel


def test_a_sentinel_broker_keeps_its_own_channel():
    connection = Connection("sentinel://sentinel.example:26379")

    reuse_one_client(connection)

    assert connection.transport.Channel is not OneClientChannel
    assert connection.transport.Channel is not kombu_redis.Channel


def test_only_this_connection_is_changed():
    reuse_one_client(Connection("redis://127.0.0.1:1/0"))

    assert Connection("redis://127.0.0.1:1/0").transport.Channel is kombu_redis.Channel


def test_the_workers_consuming_connection_gets_the_one_client_channel():
    from config.celery import app

    connection = app.connection_for_read("redis://127.0.0.1:1/0")

    assert connection.transport.Channel is OneClientChannel


def test_kombu_still_has_what_the_one_client_channel_overrides():
    # The channel overrides private kombu methods; a kombu upgrade that renames
    # or reshapes them must fail here, not slow the broker down silently.
    import inspect

    create = inspect.signature(kombu_redis.Channel._create_client)
    assert list(create.parameters) == ["self", "asynchronous"]
    assert create.parameters["asynchronous"].default is False
    assert callable(kombu_redis.Channel._disconnect_pools)
    source = inspect.getsource(kombu_redis.Channel.conn_or_acquire)
    assert "self._create_client()" in source  # commands go through it


def test_the_one_client_channel_hands_out_one_client_for_commands(monkeypatch):
    built = []
    monkeypatch.setattr(
        kombu_redis.Channel,
        "_create_client",
        lambda self, asynchronous=False: built.append(asynchronous) or object(),
    )
    channel = object.__new__(OneClientChannel)

    first, second = channel._create_client(), channel._create_client()
    consuming = channel._create_client(asynchronous=True)

    assert first is second and consuming is not first
    assert built == [False, True]
