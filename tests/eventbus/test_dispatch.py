"""Handing committed rows to Celery when the broker is away (no broker needed:
the Celery hand-over is replaced by a stand-in that fails or records)."""

import contextlib
import datetime as dt
import uuid

import pytest
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from kombu import Connection
from kombu.exceptions import OperationalError
from psycopg.pq import TransactionStatus

from apps.common.db import alias_for
from apps.eventbus import delivery, registry
from apps.eventbus import outbox as outbox_module
from apps.eventbus.api import publish, publish_many
from apps.eventbus.delivery import broker_breaker
from apps.eventbus.models import OutboxEvent
from apps.eventbus.outbox import relay_once
from apps.users.events import UserRegistered
from tests.conftest import circuit_is_open


def publish_committed(email: str) -> OutboxEvent:
    with transaction.atomic(using=alias_for("users")):
        return publish(UserRegistered(user_id=uuid.uuid4(), email=email))


def unsent():
    return OutboxEvent.objects.using(alias_for("users")).filter(sent_at__isnull=True)


@pytest.mark.django_db(transaction=True)
def test_a_failed_hand_over_trips_the_breaker_and_leaves_rows_for_the_relay(
    celery_stand_in,
):
    rows = [publish_committed(f"ok-{i}@example.com") for i in range(3)]

    assert celery_stand_in["attempts"] == 1  # later requests skip the broker
    assert unsent().count() == 3

    celery_stand_in["down"] = False
    assert relay_once(grace_seconds=0) == 3
    assert celery_stand_in["sent"] == [("catalog", str(r.event_id)) for r in rows]
    assert unsent().count() == 0
    assert not circuit_is_open(broker_breaker())


@pytest.mark.django_db(transaction=True)
def test_a_committed_row_is_sent_after_commit_and_marked_sent(celery_stand_in):
    celery_stand_in["down"] = False

    row = publish_committed("ok-1@example.com")

    assert celery_stand_in["sent"] == [("catalog", str(row.event_id))]
    assert unsent().count() == 0


@pytest.mark.django_db
def test_the_relay_leaves_rows_younger_than_the_grace_period(celery_stand_in):
    celery_stand_in["down"] = False
    with transaction.atomic(using=alias_for("users")):
        publish(UserRegistered(user_id=uuid.uuid4(), email="ok-1@example.com"))

    assert relay_once(grace_seconds=60) == 0
    assert relay_once(grace_seconds=0) == 1
    assert len(celery_stand_in["sent"]) == 1


@pytest.mark.django_db(transaction=True)
def test_a_relay_pass_stopped_by_the_broker_keeps_what_it_sent(
    celery_stand_in, monkeypatch
):
    celery_stand_in["down"] = False
    with contextlib.suppress(OSError), broker_breaker().guard():  # publish only
        raise OSError("broker down")
    rows = [publish_committed(f"ok-{i}@example.com") for i in range(3)]
    calls = iter([None, OperationalError("gone")])

    def flaky(consumer, envelope):
        if (failure := next(calls)) is not None:
            raise failure
        celery_stand_in["sent"].append((consumer, envelope.event_id))

    monkeypatch.setattr(delivery, "enqueue", flaky)

    with pytest.raises(OperationalError):
        relay_once(grace_seconds=0)

    assert celery_stand_in["sent"] == [("catalog", str(rows[0].event_id))]
    assert list(unsent().values_list("pk", flat=True)) == [rows[1].pk, rows[2].pk]


def test_retry_backoff_doubles_from_the_base_up_to_the_cap(settings):
    settings.EVENTS_RETRY_BASE_SECONDS = 1.0
    settings.EVENTS_RETRY_MAX_SECONDS = 60.0

    delays = [delivery.backoff_seconds(n) for n in range(8)]

    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]


@pytest.mark.django_db
def test_a_dead_letter_replay_with_the_broker_down_leaves_it_pending(
    celery_stand_in,
):
    from django.core.management import call_command

    from apps.eventbus.models import DeadLetter

    letter = DeadLetter.objects.using(alias_for("catalog")).create(
        consumer="catalog",
        event_id=uuid.uuid4(),
        event_type=UserRegistered.event_type,
        envelope={
            "event_id": str(uuid.uuid4()),
            "event_type": UserRegistered.event_type,
            "version": 1,
            "occurred_at": "2026-11-24T01:00:00+00:00",
            "producer": "users",
            "correlation_id": "c",
            "causation_id": "",
            "payload": {"user_id": str(uuid.uuid4()), "email": "ok-1@example.com"},
        },
        error="RuntimeError: boom",
        attempts=5,
    )

    with pytest.raises(OperationalError):
        call_command("events_dead_letters", "replay", "--all")

    letter.refresh_from_db()
    assert letter.replayed_at is None
    assert celery_stand_in["attempts"] == 1


@pytest.mark.django_db(transaction=True)
def test_a_producer_scoped_relay_sends_only_that_apps_outbox(
    celery_stand_in, monkeypatch
):
    from apps.catalog.events import ProductDeactivated

    monkeypatch.setitem(
        registry._handlers, ProductDeactivated.event_type, {"orders": lambda e, m: None}
    )
    users_row = publish_committed("ok-1@example.com")
    with transaction.atomic(using=alias_for("catalog")):
        publish(ProductDeactivated(product_id=uuid.uuid4()))
    celery_stand_in["down"] = False

    assert relay_once(grace_seconds=0, producer="users") == 1
    assert celery_stand_in["sent"] == [("catalog", str(users_row.event_id))]
    catalog_rows = OutboxEvent.objects.using(alias_for("catalog")).filter(
        producer="catalog"
    )
    assert catalog_rows.filter(sent_at__isnull=True).count() == 1

    assert relay_once(grace_seconds=0, producer="catalog") == 1
    assert catalog_rows.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_rows_of_one_transaction_marked_sent_up_to_a_failed_hand_over(
    celery_stand_in, monkeypatch
):
    handed = []

    def enqueue(consumer, envelope):
        if len(handed) == 1:
            raise OperationalError("Error 111 connecting to 127.0.0.1:1")
        handed.append(envelope.event_id)

    monkeypatch.setattr(delivery, "enqueue", enqueue)
    with transaction.atomic(using=alias_for("users")):
        rows = publish_many(
            [
                UserRegistered(user_id=uuid.uuid4(), email=f"ok-{n}@example.com")
                for n in range(3)
            ]
        )

    assert handed == [str(rows[0].event_id)]
    assert list(unsent().values_list("pk", flat=True)) == [r.pk for r in rows[1:]]
    assert circuit_is_open(broker_breaker())


@pytest.mark.django_db(transaction=True)
def test_a_failed_sent_mark_never_fails_the_publisher(celery_stand_in, monkeypatch):
    celery_stand_in["down"] = False

    def fail(alias, row_ids):
        raise DatabaseError("statement timeout")

    monkeypatch.setattr(outbox_module, "_mark_sent_without_flush", fail)

    row = publish_committed("ok-1@example.com")

    assert celery_stand_in["sent"] == [("catalog", str(row.event_id))]
    assert list(unsent()) == [row]  # the relay sends it again; inboxes dedupe


@pytest.mark.services  # the one-round-trip mark exists on PostgreSQL only
@pytest.mark.django_db(transaction=True)
def test_a_failed_one_round_trip_mark_leaves_the_connection_usable(
    celery_stand_in, monkeypatch
):
    celery_stand_in["down"] = False
    failing = outbox_module._MARK_SENT_SQL.replace("sent_at IS NULL", "1 / 0 = 1")
    monkeypatch.setattr(outbox_module, "_MARK_SENT_SQL", failing)

    row = publish_committed("ok-1@example.com")

    connection = connections[alias_for("users")]
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    assert list(unsent()) == [row]


@pytest.mark.services  # the one-round-trip mark exists on PostgreSQL only
@pytest.mark.django_db(transaction=True)
def test_the_mark_relaxes_only_the_commit_of_its_own_transaction(celery_stand_in):
    row = publish_committed("ok-1@example.com")  # the broker is down: unsent
    alias = alias_for("users")

    def synchronous_commit(cursor):
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]

    with connections[alias].cursor() as cursor:
        with transaction.atomic(using=alias):
            cursor.execute(outbox_module._MARK_SENT_SQL, [[row.pk]])
            assert synchronous_commit(cursor) == "off"
        # The next transaction (an order, say) waits for its WAL flush again.
        assert synchronous_commit(cursor) == "on"
    assert not unsent().exists()


@pytest.mark.services  # the one-round-trip mark exists on PostgreSQL only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("caller", ["atomic", "autocommit off"])
def test_the_mark_inside_a_callers_transaction_leaves_its_commit_alone(
    celery_stand_in, monkeypatch, caller
):
    from apps.catalog.events import ProductDeactivated

    monkeypatch.setitem(
        registry._handlers, ProductDeactivated.event_type, {"orders": lambda e, m: None}
    )
    alias = alias_for("catalog")  # not the default database in services mode
    rows = OutboxEvent.objects.using(alias)

    def deactivated() -> OutboxEvent:
        with transaction.atomic(using=alias):
            return publish(ProductDeactivated(product_id=uuid.uuid4()))

    marked, bystander, relayed = (deactivated() for _ in range(3))  # broker down
    relayed_at = timezone.now() - dt.timedelta(minutes=5)
    rows.filter(pk=relayed.pk).update(sent_at=relayed_at)
    connection = connections[alias]

    with contextlib.ExitStack() as callers_transaction:
        if caller == "atomic":
            callers_transaction.enter_context(transaction.atomic(using=alias))
        else:
            connection.set_autocommit(False)
            callers_transaction.callback(connection.set_autocommit, True)
            callers_transaction.callback(connection.commit)
        outbox_module._mark_sent_without_flush(alias, [marked.pk, relayed.pk])
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"

    assert list(rows.filter(sent_at__isnull=True)) == [bystander]
    assert rows.get(pk=relayed.pk).sent_at == relayed_at
    assert rows.get(pk=marked.pk).sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_late_sent_mark_keeps_the_time_the_relay_wrote(celery_stand_in):
    row = publish_committed("ok-1@example.com")  # the broker is down: unsent
    relayed_at = timezone.now() - dt.timedelta(minutes=5)
    unsent().filter(pk=row.pk).update(sent_at=relayed_at)

    outbox_module._mark_sent_without_flush(alias_for("users"), [row.pk])

    row.refresh_from_db()
    assert row.sent_at == relayed_at


@pytest.mark.services  # SKIP LOCKED is PostgreSQL's
@pytest.mark.django_db(transaction=True)
def test_a_relay_skips_rows_another_relay_holds_instead_of_waiting(celery_stand_in):
    row = publish_committed("ok-1@example.com")  # the broker is down: unsent
    celery_stand_in["down"] = False
    alias = alias_for("users")
    other_relay = connections.create_connection(alias)
    try:
        other_relay.set_autocommit(False)
        with other_relay.cursor() as cursor:
            cursor.execute(
                f"SELECT id FROM {OutboxEvent._meta.db_table} WHERE id = %s FOR UPDATE",
                [row.pk],
            )
        with connections[alias].cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting fails, not hangs
        try:
            assert outbox_module.send_rows(alias) == 0
        finally:
            with connections[alias].cursor() as cursor:
                cursor.execute("RESET lock_timeout")
        other_relay.rollback()
    finally:
        other_relay.close()

    assert outbox_module.send_rows(alias) == 1


@pytest.mark.django_db
def test_a_hand_over_publishes_through_the_producer_bounded_in_time(
    settings, monkeypatch
):
    """Celery's own publishing would retry the connection for a long time;
    the hand-over's producer gives up after EVENTS_PUBLISH_TIMEOUT_SECONDS."""
    settings.EVENTS_PUBLISH_TIMEOUT_SECONDS = 0.25
    delivery._drop_producer()
    published = {}
    monkeypatch.setattr(
        delivery.consume, "apply_async", lambda **options: published.update(options)
    )
    monkeypatch.setattr(Connection, "ensure_connection", lambda self, **kw: self)
    with transaction.atomic(using=alias_for("users")):
        row = publish(UserRegistered(user_id=uuid.uuid4(), email="ok-1@example.com"))

    delivery.enqueue("catalog", outbox_module.envelope_of(row))

    options = published["producer"].connection.transport_options
    assert (options["socket_timeout"], options["socket_connect_timeout"]) == (
        0.25,
        0.25,
    )
    assert (published["queue"], published["retry"]) == ("catalog", False)
    delivery._drop_producer()
