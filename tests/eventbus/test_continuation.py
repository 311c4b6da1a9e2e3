"""A consume task applies what its handler published for the queues its worker
serves, after its own event (`delivery.continuing`). The broker is a stand-in
here that records or fails; tests/orders/e2e/test_saga_worker.py runs the saga
through real workers."""

import uuid

import pytest
from django.db import transaction

from apps.catalog.events import ProductDeactivated
from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.api import publish
from apps.eventbus.delivery import continuing
from apps.eventbus.models import DeadLetter, InboxRecord, OutboxEvent
from apps.users.events import UserRegistered

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker(celery_stand_in):
    """The broker stand-in, up: it records (consumer, event_id)."""
    celery_stand_in["down"] = False
    return celery_stand_in


def register(email: str) -> OutboxEvent:
    with transaction.atomic(using=alias_for("users")):
        return publish(UserRegistered(user_id=uuid.uuid4(), email=email))


def sent_mark(row: OutboxEvent):
    row.refresh_from_db()
    return row.sent_at


def applied_by_catalog() -> list[str]:
    return sorted(
        InboxRecord.objects.using(alias_for("catalog"))
        .filter(consumer="catalog")
        .values_list("event_type", flat=True)
    )


def test_an_event_for_a_served_queue_is_applied_after_the_task_not_sent(broker, probe):
    with continuing(served={"catalog"}):
        row = register("ok-1@example.com")
        assert probe.effects() == []  # not before the task's own event is done
        assert sent_mark(row) is None

    assert broker["sent"] == []
    assert [e[1] for e in probe.effects()] == ["ok-1@example.com"]
    assert sent_mark(row) is not None


def test_an_event_for_a_queue_served_elsewhere_goes_through_the_broker(broker, probe):
    with continuing(served={"inventory", "orders"}):
        row = register("ok-1@example.com")

    assert broker["sent"] == [("catalog", str(row.event_id))]
    assert probe.effects() == []
    assert sent_mark(row) is not None


def test_only_the_consumers_served_elsewhere_get_a_message(broker, probe, monkeypatch):
    handlers = dict(registry._handlers[UserRegistered.event_type])
    handlers["orders"] = lambda event, meta: None
    monkeypatch.setitem(registry._handlers, UserRegistered.event_type, handlers)
    with continuing(served={"catalog"}):
        row = register("ok-1@example.com")
        assert broker["sent"] == [("orders", str(row.event_id))]

    assert [e[1] for e in probe.effects()] == ["ok-1@example.com"]
    assert sent_mark(row) is not None


@pytest.mark.parametrize(
    ("budget", "follow_up_through_the_broker"), [(1, True), (2, False)]
)
def test_a_task_keeps_no_more_events_than_its_budget(
    broker, probe, monkeypatch, settings, budget, follow_up_through_the_broker
):
    settings.EVENTS_WORKER_CONTINUATIONS = budget
    monkeypatch.setitem(
        registry._handlers,
        ProductDeactivated.event_type,
        {"catalog": lambda event, meta: None},
    )
    with continuing(served={"catalog"}):
        register("chain-1@example.com")

    assert [e[1] for e in probe.effects()] == ["chain-1@example.com"]
    sent_types = [
        OutboxEvent.objects.using(alias_for("catalog"))
        .get(event_id=event_id)
        .event_type
        for _, event_id in broker["sent"]
    ]
    assert sent_types == (
        [ProductDeactivated.event_type] if follow_up_through_the_broker else []
    )


def test_outside_a_consume_task_every_event_goes_through_the_broker(broker, probe):
    row = register("ok-1@example.com")

    assert broker["sent"] == [("catalog", str(row.event_id))]


def test_with_no_budget_every_event_goes_through_the_broker(broker, probe, settings):
    settings.EVENTS_WORKER_CONTINUATIONS = 0
    with continuing(served={"catalog"}):
        row = register("ok-1@example.com")

    assert broker["sent"] == [("catalog", str(row.event_id))]
    assert probe.effects() == []


def test_what_the_kept_event_publishes_is_applied_in_publication_order(
    broker, probe, monkeypatch
):
    seen_after = []
    monkeypatch.setitem(
        registry._handlers,
        ProductDeactivated.event_type,
        {"catalog": lambda event, meta: seen_after.append(probe.effects())},
    )
    with continuing(served={"catalog"}):
        row = register("chain-1@example.com")

    assert broker["sent"] == []
    assert [[e[1] for e in effects] for effects in seen_after] == [
        ["chain-1@example.com"]
    ]
    assert applied_by_catalog() == sorted(
        [UserRegistered.event_type, ProductDeactivated.event_type]
    )
    follow_up = OutboxEvent.objects.using(alias_for("catalog")).get(
        event_type=ProductDeactivated.event_type
    )
    assert follow_up.sent_at is not None
    assert sent_mark(row) is not None


def test_a_kept_event_that_fails_here_is_queued_to_be_retried_there(broker, probe):
    with continuing(served={"catalog"}):
        row = register("fail-1@example.com")

    assert broker["sent"] == [("catalog", str(row.event_id))]
    assert probe.effects() == []
    assert applied_by_catalog() == []  # the failed attempt's inbox row rolled back
    assert sent_mark(row) is not None


def test_a_kept_event_that_fails_with_the_broker_down_stays_for_the_relay(
    broker, probe
):
    broker["down"] = True
    with continuing(served={"catalog"}):
        row = register("fail-1@example.com")

    assert broker["sent"] == []
    assert sent_mark(row) is None
    assert not DeadLetter.objects.using(alias_for("catalog")).exists()


def test_a_kept_event_no_retry_can_apply_is_dead_lettered_at_once(
    broker, probe, monkeypatch
):
    def unknown_version(payload):
        raise ValueError("payload does not fit")

    monkeypatch.setattr(UserRegistered, "from_payload", unknown_version)
    with continuing(served={"catalog"}):
        row = register("ok-1@example.com")

    letter = DeadLetter.objects.using(alias_for("catalog")).get()
    assert (letter.event_id, letter.attempts) == (row.event_id, 1)
    assert "payload does not fit" in letter.error
    assert broker["sent"] == []
    assert sent_mark(row) is not None


def test_kept_events_are_applied_even_when_the_task_itself_raises(broker, probe):
    with pytest.raises(RuntimeError), continuing(served={"catalog"}):
        register("ok-1@example.com")
        raise RuntimeError("the task's own event failed after publishing")

    assert [e[1] for e in probe.effects()] == ["ok-1@example.com"]
