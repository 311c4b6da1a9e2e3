"""The bus through the real broker and a real Celery worker process, on
PostgreSQL (services mode only)."""

import json
import os
import signal
import subprocess
import sys
import threading
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connections, transaction

from apps.catalog.events import ProductDeactivated
from apps.common import context
from apps.common.db import alias_for
from apps.eventbus import outbox as outbox_module
from apps.eventbus.api import publish
from apps.eventbus.delivery import enqueue
from apps.eventbus.models import DeadLetter, InboxRecord, OutboxEvent
from apps.eventbus.outbox import envelope_of, relay_once
from apps.users.events import UserRegistered

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def publish_committed(email: str) -> OutboxEvent:
    with transaction.atomic(using=alias_for("users")):
        return publish(UserRegistered(user_id=uuid.uuid4(), email=email))


def inbox(alias: str):
    return InboxRecord.objects.using(alias)


def test_outbox_row_in_publisher_database_inbox_row_in_consumer_database(
    probe, celery_worker_with_probe, wait_until
):
    row = publish_committed("ok-1@example.com")

    assert wait_until(lambda: len(probe.effects()) == 1)
    users_db, catalog_db = alias_for("users"), alias_for("catalog")
    assert OutboxEvent.objects.using(users_db).get().event_id == row.event_id
    assert inbox(catalog_db).get().event_id == row.event_id
    if users_db != catalog_db:  # per-app mode
        assert not OutboxEvent.objects.using(catalog_db).exists()
        assert not inbox(users_db).exists()
    assert OutboxEvent.objects.using(users_db).get().sent_at is not None


def test_a_worker_keeps_its_database_connection_from_event_to_event(
    probe, celery_worker_with_probe, wait_until
):
    for n in range(6):
        publish_committed(f"ok-{n}@example.com")

    assert wait_until(lambda: len(probe.effects()) == 6)
    # One session per pool process (two), not one per event: Celery's Django
    # fixup would close every connection around every task (CELERY_DB_REUSE_MAX).
    assert len(probe.backends()) <= 2


def test_the_same_event_delivered_three_times_changes_state_once(
    probe, celery_worker_with_probe, wait_until
):
    row = publish_committed("ok-3@example.com")
    enqueue("catalog", envelope_of(row))
    enqueue("catalog", envelope_of(row))

    assert wait_until(
        lambda: (
            celery_worker_with_probe.log.count("duplicate users.user.registered") == 2
        )
    )
    assert [e[:2] for e in probe.effects()] == [(str(row.event_id), "ok-3@example.com")]
    assert inbox(alias_for("catalog")).count() == 1


def test_a_worker_child_killed_mid_handler_is_redelivered_and_applies_once(
    probe, celery_worker_with_probe, wait_until, probe_dir
):
    row = publish_committed("slow-1@example.com")
    marker = probe_dir / str(row.event_id)

    assert wait_until(marker.exists), celery_worker_with_probe.log
    os.kill(int(marker.read_text()), signal.SIGKILL)

    assert wait_until(lambda: len(probe.effects()) == 1, timeout=20), (
        celery_worker_with_probe.log
    )
    assert "WorkerLostError" in celery_worker_with_probe.log
    assert [e[:2] for e in probe.effects()] == [
        (str(row.event_id), "slow-1@example.com")
    ]
    assert inbox(alias_for("catalog")).count() == 1
    assert not DeadLetter.objects.using(alias_for("catalog")).exists()


def test_an_always_failing_handler_dead_letters_while_others_flow_then_replays(
    probe, celery_worker_with_probe, wait_until
):
    from django.core.management import call_command

    failing = publish_committed("fail-1@example.com")
    fine = [publish_committed(f"ok-{i}@example.com") for i in range(3)]
    letters = DeadLetter.objects.using(alias_for("catalog"))

    assert wait_until(letters.exists), celery_worker_with_probe.log
    letter = letters.get()
    assert (letter.event_id, letter.attempts) == (failing.event_id, 3)
    assert celery_worker_with_probe.log.count("Retry in") == 2
    assert sorted(e[0] for e in probe.effects()) == sorted(
        str(r.event_id) for r in fine
    )

    probe.fix()
    call_command("events_dead_letters", "replay", "--all")

    assert wait_until(lambda: len(probe.effects()) == 4)
    call_command("events_replay", "--id", str(failing.event_id))
    assert wait_until(
        lambda: (
            celery_worker_with_probe.log.count("duplicate users.user.registered") == 1
        )
    )
    assert [e[0] for e in probe.effects()].count(str(failing.event_id)) == 1
    assert letters.count() == 1


def test_handlers_run_in_the_flow_and_follow_ups_name_their_cause(
    probe, celery_worker_with_probe, wait_until
):
    with context.flow(correlation="req-7"):
        row = publish_committed("chain-1@example.com")

    cause = str(row.event_id)
    assert wait_until(lambda: len(probe.effects()) == 1)
    assert probe.effects() == [(cause, "chain-1@example.com", "req-7", cause)]
    follow_up = OutboxEvent.objects.using(alias_for("catalog")).get(
        event_type=ProductDeactivated.event_type
    )
    assert (follow_up.correlation_id, follow_up.causation_id) == ("req-7", cause)


def test_publishing_with_the_broker_down_adds_under_a_second_then_relay_delivers(
    probe, services_env, celery_worker_with_probe, wait_until
):
    closed_port = services_env({"CELERY_BROKER_URL": "redis://127.0.0.1:1/0"})
    result = subprocess.run(
        [sys.executable, "-m", "tests.eventbus.publish_probe", "5", "ok-down-"],
        env=closed_port,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    durations = json.loads(result.stdout)
    assert len(durations) == 5
    assert max(durations) < 1.0, durations
    users_db = OutboxEvent.objects.using(alias_for("users"))
    assert users_db.filter(sent_at__isnull=True).count() == 5
    assert probe.effects() == []

    assert relay_once(grace_seconds=0) == 5

    assert wait_until(lambda: len(probe.effects()) == 5)
    assert sorted(e[1] for e in probe.effects()) == [
        f"ok-down-{i}@x.com" for i in range(5)
    ]
    assert users_db.filter(sent_at__isnull=True).count() == 0


def test_two_concurrent_relays_never_send_a_row_twice(probe, monkeypatch, settings):
    settings.EVENTS_DELIVERY = "inprocess"
    with transaction.atomic(using=alias_for("users")):
        # Written in one transaction whose on-commit dispatch is disabled, so
        # every row is left for the relays.
        monkeypatch.setattr(outbox_module, "dispatch_after_commit", lambda *a: None)
        rows = [
            publish(UserRegistered(user_id=uuid.uuid4(), email=f"ok-{i}@x.com"))
            for i in range(120)
        ]
    handed, lock = [], threading.Lock()
    barrier = threading.Barrier(2)

    def record(envelope):
        with lock:
            handed.append((threading.get_ident(), envelope.event_id))
        threading.Event().wait(0.002)  # hold the batch's locks a while

    monkeypatch.setattr(outbox_module, "hand_over", record)
    counts = []

    def relay():
        try:
            barrier.wait(timeout=5)
            counts.append(relay_once(batch_size=10))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=relay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    sent_ids = [event_id for _, event_id in handed]
    assert sorted(sent_ids) == sorted(str(r.event_id) for r in rows)
    assert sum(counts) == 120
    assert len({thread for thread, _ in handed}) == 2
    assert (
        not OutboxEvent.objects.using(alias_for("users"))
        .filter(sent_at__isnull=True)
        .exists()
    )


def test_the_relay_command_loops_until_sigterm_delivering_what_was_left(
    services_env, wait_until, monkeypatch
):
    from apps.catalog.events import ProductCreated
    from config.celery import app as celery_app

    catalog_rows = OutboxEvent.objects.using(alias_for("catalog"))
    with monkeypatch.context() as patched:
        # Committed, but never handed over: left for the relay.
        patched.setattr(outbox_module, "dispatch_after_commit", lambda *a: None)
        with transaction.atomic(using=alias_for("catalog")):
            for n in range(3):
                publish(
                    ProductCreated(
                        product_id=uuid.uuid4(),
                        sku=f"LOOP-{n}",
                        name="Loop",
                        price="1.00",
                        currency="EUR",
                    )
                )
    relay = subprocess.Popen(
        [sys.executable, "manage.py", "events_relay", "--interval", "0.2"],
        env=services_env({"EVENTS_RELAY_GRACE_SECONDS": "0"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        sent = wait_until(lambda: not catalog_rows.filter(sent_at=None).exists())
    finally:
        relay.send_signal(signal.SIGTERM)
        output, _ = relay.communicate(timeout=30)

    assert sent, output
    assert relay.returncode == 0, output
    assert "relayed 3 event(s)" in output
    assert output.rstrip().endswith("relay stopped")
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge("inventory")


def test_the_publisher_sends_its_messages_through_one_redis_client(monkeypatch):
    # Kombu's channel would build a redis-py client (and its table of response
    # callbacks) for every message: a third of a hand-over's CPU.
    import redis

    row = publish_committed("one-client@example.com")
    queue = f"test-publisher-{uuid.uuid4().hex}"
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    built = []
    build = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        built.append(self)
        build(self, *args, **kwargs)

    try:
        enqueue(queue, envelope_of(row))  # the thread's publisher is set up
        monkeypatch.setattr(redis.Redis, "__init__", counted)
        for _ in range(5):
            enqueue(queue, envelope_of(row))
        assert broker.llen(queue) == 6
    finally:
        broker.delete(queue)
    assert built == []
