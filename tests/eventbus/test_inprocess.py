"""The bus with in-process delivery (the embedded default): the same outbox,
inbox and dead-letter path as with Celery, without a broker."""

import threading
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import REGISTRY

from apps.catalog.events import ProductDeactivated
from apps.common.db import alias_for
from apps.common.middleware import CorrelationIdMiddleware
from apps.eventbus import outbox as outbox_module
from apps.eventbus.api import publish, publish_many
from apps.eventbus.delivery import hand_over
from apps.eventbus.models import DeadLetter, InboxRecord, OutboxEvent
from apps.eventbus.outbox import envelope_of
from apps.users.events import UserRegistered


class Rollback(Exception):
    pass


def registered(email: str) -> UserRegistered:
    return UserRegistered(user_id=uuid.uuid4(), email=email)


def publish_in_transaction(email: str, *, commit: bool = True) -> OutboxEvent | None:
    try:
        with transaction.atomic(using=alias_for("users")):
            row = publish(registered(email))
            if not commit:
                raise Rollback
    except Rollback:
        return None
    return row


def unsent(alias: str) -> int:
    return OutboxEvent.objects.using(alias).filter(sent_at__isnull=True).count()


@pytest.mark.django_db
def test_committed_transactions_are_applied_once_and_rolled_back_ones_never(
    probe, django_capture_on_commit_callbacks
):
    run = iter(range(10**6))

    @settings(
        max_examples=100,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(commits=st.lists(st.booleans(), min_size=1, max_size=4))
    def check(commits):
        prefix = f"ok-{next(run)}-"
        # Each transaction is a savepoint of the test's; the on-commit
        # callbacks of the ones that "commit" run when the block ends, those
        # of rolled-back ones are discarded by Django as on a real rollback.
        with django_capture_on_commit_callbacks(using=alias_for("users"), execute=True):
            rows = [
                publish_in_transaction(f"{prefix}{i}@example.com", commit=commit)
                for i, commit in enumerate(commits)
            ]

        applied = [e for e in probe.effects() if e[1].startswith(prefix)]
        expected = sorted(
            (str(row.event_id), f"{prefix}{i}@example.com")
            for i, row in enumerate(rows)
            if row is not None
        )
        assert sorted(e[:2] for e in applied) == expected
        published = OutboxEvent.objects.using(alias_for("users")).filter(
            payload__email__startswith=prefix
        )
        assert published.count() == commits.count(True)
        assert published.filter(sent_at__isnull=True).count() == 0

    check()


@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_three_times_changes_state_once(probe):
    row = publish_in_transaction("ok-triple@example.com")

    hand_over(envelope_of(row))
    hand_over(envelope_of(row))

    assert [e[:2] for e in probe.effects()] == [
        (str(row.event_id), "ok-triple@example.com")
    ]
    assert InboxRecord.objects.using(alias_for("catalog")).count() == 1
    assert DeadLetter.objects.using(alias_for("catalog")).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failing_handler_never_fails_the_publisher_and_ends_in_a_dead_letter(
    probe, settings
):
    settings.EVENTS_MAX_ATTEMPTS = 3

    failing = publish_in_transaction("fail-1@example.com")
    publish_in_transaction("ok-1@example.com")

    assert [e[1] for e in probe.effects()] == ["ok-1@example.com"]
    letter = DeadLetter.objects.using(alias_for("catalog")).get()
    assert (letter.event_id, letter.attempts, letter.replayed_at) == (
        failing.event_id,
        3,
        None,
    )
    assert "RuntimeError: probe handler broken for fail-1@example.com" in letter.error
    assert unsent(alias_for("users")) == 0


@pytest.mark.django_db(transaction=True)
def test_each_in_process_retry_is_counted_for_its_consumer_and_type(probe, settings):
    settings.EVENTS_MAX_ATTEMPTS = 3
    labels = {"consumer": probe.CONSUMER, "event_type": UserRegistered.event_type}
    before = REGISTRY.get_sample_value("events_retried_total", labels) or 0.0

    publish_in_transaction("fail-2@example.com")

    # Three attempts: two failed ones were followed by another try.
    assert REGISTRY.get_sample_value("events_retried_total", labels) == before + 2


@pytest.mark.django_db(transaction=True)
def test_a_dead_letter_replayed_after_the_fix_is_applied_once(probe, settings):
    settings.EVENTS_MAX_ATTEMPTS = 2
    failing = publish_in_transaction("fail-2@example.com")
    probe.fix()

    call_command("events_dead_letters", "replay", str(failing.event_id))
    call_command("events_replay", "--id", str(failing.event_id))

    assert [e[:2] for e in probe.effects()] == [
        (str(failing.event_id), "fail-2@example.com")
    ]
    letter = DeadLetter.objects.using(alias_for("catalog")).get()
    assert letter.replayed_at is not None
    with pytest.raises(CommandError, match="no pending dead letter"):
        call_command("events_dead_letters", "replay", str(failing.event_id))


@pytest.mark.django_db(transaction=True)
def test_a_request_id_becomes_correlation_and_follow_ups_name_their_cause(probe):
    published = []

    def view(request):
        published.append(publish_in_transaction("chain-1@example.com"))
        return HttpResponse("ok")

    request = RequestFactory().post("/x", HTTP_X_REQUEST_ID="req-42")
    response = CorrelationIdMiddleware(view)(request)

    cause = str(published[0].event_id)
    assert response["X-Request-ID"] == "req-42"
    assert published[0].correlation_id == "req-42"
    assert published[0].causation_id == ""
    assert probe.effects() == [(cause, "chain-1@example.com", "req-42", cause)]
    follow_up = OutboxEvent.objects.using(alias_for("catalog")).get(
        event_type=ProductDeactivated.event_type
    )
    assert (follow_up.correlation_id, follow_up.causation_id) == ("req-42", cause)


@pytest.mark.django_db(transaction=True)
def test_handler_log_lines_carry_the_correlation_id(probe, monkeypatch):
    import logging

    from apps.common.logging import ContextFilter
    from apps.eventbus import consumer

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep()
    handler.addFilter(ContextFilter())
    monkeypatch.setattr(consumer.logger, "level", logging.INFO)
    consumer.logger.addHandler(handler)
    try:
        request = RequestFactory().post("/x", HTTP_X_REQUEST_ID="req-log")
        CorrelationIdMiddleware(
            lambda r: publish_in_transaction("ok-log@example.com") and HttpResponse()
        )(request)
    finally:
        consumer.logger.removeHandler(handler)

    handled = [r for r in records if r.getMessage().startswith("handled ")]
    assert [(r.correlation_id, r.event_id, r.consumer) for r in handled] == [
        ("req-log", handled[0].args[1], "catalog")
    ]


@pytest.mark.django_db(transaction=True)
def test_an_integrity_error_of_the_handler_is_retried_and_dead_lettered(
    probe, settings
):
    settings.EVENTS_MAX_ATTEMPTS = 3

    clashing = publish_in_transaction("clash-1@example.com")

    catalog = alias_for("catalog")
    letter = DeadLetter.objects.using(catalog).get()
    assert (letter.event_id, letter.attempts) == (clashing.event_id, 3)
    assert "IntegrityError" in letter.error
    assert not InboxRecord.objects.using(catalog).exists()  # never counted handled
    assert probe.effects() == []


@pytest.mark.django_db(transaction=True)
def test_a_follow_up_is_delivered_after_its_cause_was_marked_sent(probe, monkeypatch):
    from apps.eventbus import registry

    users = OutboxEvent.objects.using(alias_for("users"))
    cause_sent_when_handled = []

    def on_follow_up(event, meta):
        cause = users.get(payload__email="chain-1@example.com")
        cause_sent_when_handled.append(cause.sent_at is not None)

    monkeypatch.setitem(
        registry._handlers, ProductDeactivated.event_type, {"orders": on_follow_up}
    )

    publish_in_transaction("chain-1@example.com")

    # Queued behind its cause, not delivered from inside the cause's delivery.
    assert cause_sent_when_handled == [True]
    assert not users.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_events_published_together_share_their_flow_and_time():
    with transaction.atomic(using=alias_for("users")):
        rows = publish_many([registered(f"ok-{i}@example.com") for i in range(3)])

    stored = OutboxEvent.objects.using(alias_for("users")).filter(
        pk__in=[r.pk for r in rows]
    )
    contexts = {(r.correlation_id, r.causation_id, r.occurred_at) for r in stored}
    assert len(contexts) == 1
    assert stored.count() == 3
    assert stored.first().correlation_id != ""


@pytest.mark.django_db
def test_events_of_two_producers_are_refused_together_writing_nothing():
    with pytest.raises(
        ValueError, match=r"^publish_many takes the events of one producer$"
    ):
        with transaction.atomic(using=alias_for("users")):
            publish_many(
                [
                    registered("ok-1@example.com"),
                    ProductDeactivated(product_id=uuid.uuid4()),
                ]
            )

    for app in ("users", "catalog"):
        assert not OutboxEvent.objects.using(alias_for(app)).exists()


def test_a_new_threads_first_row_is_delivered_at_once(monkeypatch):
    # A thread that never delivered before has no queue to join yet.
    sent = []
    monkeypatch.setattr(
        outbox_module, "send_rows", lambda alias, ids: sent.append((alias, ids))
    )

    thread = threading.Thread(
        target=outbox_module._deliver_inprocess_in_order, args=("default", 7)
    )
    thread.start()
    thread.join()

    assert sent == [("default", [7])]


@pytest.mark.django_db
def test_an_in_process_delivery_hands_over_its_own_rows_only(
    probe, django_capture_on_commit_callbacks
):
    publish_in_transaction("left@example.com")  # its delivery never ran
    with django_capture_on_commit_callbacks(execute=True):
        publish_in_transaction("sent@example.com")

    assert [effect[1] for effect in probe.effects()] == ["sent@example.com"]
    assert unsent(alias_for("users")) == 1  # left for the relay
