"""What a handled event and a dead letter keep and count, and which
IntegrityError means "already applied": only this consumer's own inbox record
of this event."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from prometheus_client import REGISTRY

from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.api import publish
from apps.eventbus.consumer import apply_event, consume_inprocess
from apps.eventbus.delivery import consume
from apps.eventbus.models import DeadLetter, InboxRecord
from apps.eventbus.outbox import envelope_of
from apps.users.events import UserRegistered

pytestmark = pytest.mark.django_db
REGISTERED = UserRegistered.event_type


def dead_lettered(consumer: str, event_type: str) -> float:
    labels = {"consumer": consumer, "event_type": event_type}
    return REGISTRY.get_sample_value("events_dead_lettered_total", labels) or 0.0


def letters(consumer: str = "catalog"):
    return DeadLetter.objects.using(alias_for(consumer)).order_by("id")


def envelope(email: str):
    with transaction.atomic(using=alias_for("users")):
        return envelope_of(publish(UserRegistered(user_id=uuid.uuid4(), email=email)))


@pytest.fixture
def handlers(monkeypatch, settings):
    """The UserRegistered handlers, set by the test; nothing else consumes it."""
    settings.EVENTS_DELIVERY = "celery"  # publishing hands nothing on by itself
    settings.EVENTS_MAX_ATTEMPTS = 2
    found: dict = {}
    monkeypatch.setitem(registry._handlers, REGISTERED, found)
    return found


def clash(event, meta):
    raise IntegrityError("duplicate key value violates unique constraint")


def test_a_handler_clash_after_this_consumer_applied_another_event_dead_letters(
    handlers,
):
    handlers["catalog"] = lambda event, meta: None
    consume_inprocess("catalog", envelope("first@example.com"))
    handlers["catalog"] = clash
    second = envelope("second@example.com")

    consume_inprocess("catalog", second)

    [letter] = letters()
    assert (letter.event_id, letter.attempts) == (uuid.UUID(second.event_id), 2)
    inbox = InboxRecord.objects.using(alias_for("catalog")).filter(consumer="catalog")
    assert inbox.count() == 1  # the first event only


def test_a_handler_clash_after_another_consumer_applied_the_event_dead_letters(
    handlers,
):
    handlers["orders"] = lambda event, meta: None
    handlers["catalog"] = clash
    both = envelope("both@example.com")
    consume_inprocess("orders", both)

    consume_inprocess("catalog", both)

    [letter] = letters()
    assert (letter.consumer, letter.event_id) == ("catalog", uuid.UUID(both.event_id))


def test_a_dead_letter_keeps_the_whole_error_and_is_counted_by_consumer_and_type(
    handlers,
):
    def broken(event, meta):
        error = RuntimeError("handler bug")
        error.add_note("while updating the customer's stats")
        raise error

    handlers["catalog"] = broken
    before = dead_lettered("catalog", REGISTERED)

    consume_inprocess("catalog", envelope("broken@example.com"))

    [letter] = letters()
    assert (
        letter.error == "RuntimeError: handler bug\nwhile updating the customer's stats"
    )
    assert dead_lettered("catalog", REGISTERED) == before + 1


def test_two_different_malformed_messages_are_two_letters():
    consume("catalog", {"event_type": "a.b.c.v1", "payload": {}})
    consume("catalog", {"event_type": "a.b.c.v1", "payload": {"x": 1}})

    assert letters().count() == 2


def test_a_malformed_letter_names_its_consumer_and_is_counted_as_malformed():
    long_type = "t" * 300
    before = dead_lettered("catalog", "malformed")

    consume("catalog", {"event_type": long_type})

    [letter] = letters()
    assert (letter.consumer, letter.attempts) == ("catalog", 1)
    assert letter.event_type == "t" * 200  # the column's length
    assert dead_lettered("catalog", "malformed") == before + 1


def test_a_handled_event_is_recorded_timed_and_logged_under_its_consumer_and_type(
    handlers,
):
    from apps.common import context

    seen, flows = [], []

    def handler(event, meta):
        seen.append(context.current_event.get())
        flows.append((context.correlation_id.get(), context.causation_id.get()))

    handlers["catalog"] = handler
    labels = {"consumer": "catalog", "event_type": REGISTERED}
    timed = "event_handling_duration_seconds_count"
    before = REGISTRY.get_sample_value(timed, labels) or 0.0
    counted = REGISTRY.get_sample_value("events_handled_total", labels) or 0.0
    handled = envelope("handled@example.com")

    consume_inprocess("catalog", handled)

    inbox = InboxRecord.objects.using(alias_for("catalog")).get()
    assert (inbox.consumer, str(inbox.event_id), inbox.event_type) == (
        "catalog",
        handled.event_id,
        REGISTERED,
    )
    assert REGISTRY.get_sample_value(timed, labels) == before + 1
    assert REGISTRY.get_sample_value("events_handled_total", labels) == counted + 1
    assert flows == [(handled.correlation_id, handled.event_id)]
    assert seen == [
        {"event_id": handled.event_id, "event_type": REGISTERED, "consumer": "catalog"}
    ]


def test_applying_says_whether_it_applied_or_found_it_applied(handlers):
    handlers["catalog"] = lambda event, meta: None
    once = envelope("once@example.com")

    assert apply_event("catalog", once) is True
    assert apply_event("catalog", once) is False


def test_retries_and_the_dead_letter_are_logged_in_the_events_flow(
    handlers, monkeypatch
):
    from apps.common import context
    from apps.eventbus import consumer as consumer_module

    def broken(event, meta):
        raise RuntimeError("handler bug")

    handlers["catalog"] = broken
    flows = []
    real_dead_letter = consumer_module.dead_letter

    def in_flow(*args, **kwargs):
        flows.append((context.correlation_id.get(), context.causation_id.get()))
        return real_dead_letter(*args, **kwargs)

    monkeypatch.setattr(consumer_module, "dead_letter", in_flow)
    failing = envelope("failing@example.com")

    consume_inprocess("catalog", failing)

    assert flows == [(failing.correlation_id, failing.event_id)]


def test_a_consumed_event_that_no_retry_can_apply_is_dead_lettered_at_once(handlers):
    handlers["catalog"] = lambda event, meta: None
    message = envelope("ok-1@example.com").to_dict()
    message["payload"] = {}  # none of UserRegistered's fields

    consume("catalog", message)

    [letter] = letters()
    assert (letter.consumer, str(letter.event_id), letter.attempts) == (
        "catalog",
        message["event_id"],
        1,
    )
