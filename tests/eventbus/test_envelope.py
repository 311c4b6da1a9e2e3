import dataclasses
import datetime as dt
import json
import types
import typing
import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.api import publish
from apps.eventbus.consumer import consume_inprocess
from apps.eventbus.deadletters import replay_dead_letters
from apps.eventbus.delivery import consume
from apps.eventbus.envelope import Envelope
from apps.eventbus.models import DeadLetter, InboxRecord
from apps.eventbus.outbox import envelope_of
from apps.inventory.events import StockLevelChanged
from apps.users.events import UserRegistered

SAMPLES = {
    uuid.UUID: lambda: uuid.uuid4(),
    str: lambda: "text ünïcode",
    int: lambda: 7,
    bool: lambda: True,
    Decimal: lambda: Decimal("1234.50"),
    dt.datetime: lambda: dt.datetime(2026, 11, 24, 1, 2, 3, 456789, tzinfo=dt.UTC),
    dt.date: lambda: dt.date(2026, 11, 24),
}


def a_message(**fields) -> dict:
    """A well-formed UserRegistered envelope as it travels, with `fields` changed."""
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": UserRegistered.event_type,
        "version": 1,
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
        "producer": "users",
        "correlation_id": "c",
        "causation_id": "",
        "payload": {"user_id": str(uuid.uuid4()), "email": "ok-a@example.com"},
        **fields,
    }


def sample(hint):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return sample(next(a for a in args if a is not type(None)))
    if origin is tuple:
        return (sample(args[0]), sample(args[0]))
    if origin is list:
        return [sample(args[0])]
    if dataclasses.is_dataclass(hint):
        return build(hint)
    return SAMPLES[hint]()


def build(cls):
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: sample(hints[f.name]) for f in dataclasses.fields(cls)})


def test_all_twenty_three_event_classes_are_discovered():
    types = sorted(cls.event_type for cls in registry.all_event_classes())

    assert len(types) == 23
    assert "orders.voucher.released.v1" in types
    assert "catalog.product.changed.v1" in types
    assert "users.user.registered.v1" in types
    assert "inventory.stock.level_changed.v1" in types


@pytest.mark.parametrize(
    "event_class",
    registry.all_event_classes(),
    ids=lambda cls: cls.event_type,
)
def test_event_round_trips_through_its_json_envelope(event_class):
    event = build(event_class)
    envelope = Envelope(
        event_id=str(uuid.uuid4()),
        event_type=event.event_type,
        version=1,
        occurred_at=dt.datetime.now(dt.UTC).isoformat(),
        producer=event.event_type.split(".")[0],
        correlation_id="corr",
        causation_id="",
        payload=event.to_payload(),
    )

    wire = json.loads(json.dumps(envelope.to_dict()))
    received = Envelope.from_dict(wire)

    assert received == envelope
    assert registry.event_class(received.event_type).from_payload(received.payload) == (
        event
    )


@pytest.mark.django_db
def test_an_event_with_a_version_field_is_published_with_its_schema_version():
    product_id = uuid.uuid4()
    event = StockLevelChanged(
        product_id=product_id, on_hand=5, reserved=2, available=3, version=42
    )

    with transaction.atomic(using=alias_for("inventory")):
        row = publish(event)

    envelope = envelope_of(row)
    assert (envelope.event_type, envelope.version, envelope.producer) == (
        "inventory.stock.level_changed.v1",
        1,
        "inventory",
    )
    assert envelope.payload["version"] == 42
    assert StockLevelChanged.from_payload(envelope.payload) == event


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("event_type", "reason"),
    [
        (
            "users.user.registered.v9",
            "unknown event type or version: users.user.registered.v9",
        ),
        ("nobody.thing.happened.v1", "unknown event type or version: nobody.thing"),
    ],
)
def test_unknown_type_or_version_is_dead_lettered_with_the_reason(
    probe, event_type, reason
):
    envelope = Envelope.from_dict(a_message(event_type=event_type, version=9))

    consume_inprocess("catalog", envelope)

    letters = list(DeadLetter.objects.using(alias_for("catalog")).all())
    assert [(d.event_type, d.attempts) for d in letters] == [(event_type, 1)]
    assert reason in letters[0].error
    assert probe.effects() == []
    assert InboxRecord.objects.using(alias_for("catalog")).count() == 0


@pytest.mark.django_db
def test_a_payload_that_does_not_fit_the_class_is_dead_lettered_at_once(probe):
    payload = {"user_id": "not-a-uuid", "email": "ok-a@example.com"}
    envelope = Envelope.from_dict(a_message(payload=payload))

    consume_inprocess("catalog", envelope)

    letter = DeadLetter.objects.using(alias_for("catalog")).get()
    assert letter.attempts == 1
    assert "badly formed hexadecimal UUID string" in letter.error
    assert probe.effects() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "message",
    [
        {"event_type": UserRegistered.event_type, "payload": {}},  # fields missing
        a_message(event_id="not-a-uuid"),
        a_message(occurred_at="yesterday"),
        a_message(event_type=["a", "list"]),
        ["not", "an", "object"],
    ],
    ids=["fields missing", "bad event id", "bad time", "bad type", "not an object"],
)
def test_a_message_without_a_usable_envelope_is_kept_as_a_dead_letter(probe, message):
    consume("catalog", message)  # the Celery task's body, in-process
    consume("catalog", message)  # redelivered: no second letter

    letter = DeadLetter.objects.using(alias_for("catalog")).get()
    assert letter.error.startswith("malformed envelope")
    assert letter.envelope == (
        message if isinstance(message, dict) else {"received": message}
    )
    event_type = message.get("event_type") if isinstance(message, dict) else None
    assert letter.event_type == str(event_type or "")
    assert replay_dead_letters() == 0  # nothing to replay; the letter stays
    assert DeadLetter.objects.using(alias_for("catalog")).get().replayed_at is None
    assert probe.effects() == []
