"""Subscriptions known to every process: each app's declared event types route
events to apps hosted by other deployables; hosted apps' handlers match them."""

import uuid

import pytest

from apps.eventbus import delivery, registry
from apps.eventbus.envelope import Envelope
from apps.orders.events import OrderPlaced


def test_every_declared_event_type_is_a_published_event(settings):
    known = {cls.event_type for cls in registry.all_event_classes()}

    declared = {t for types in settings.EVENT_SUBSCRIPTIONS.values() for t in types}

    assert declared - known == set()
    assert sorted(settings.EVENT_SUBSCRIPTIONS) == sorted(settings.ALL_DOMAIN_APPS)


def test_hosted_handlers_match_the_declarations_and_a_stray_one_is_caught(
    monkeypatch,
):
    assert registry.check_subscriptions_match_handlers() == []

    consumers = registry._handlers[OrderPlaced.event_type]
    stray = {**consumers, "catalog": lambda e, m: None}
    monkeypatch.setitem(registry._handlers, OrderPlaced.event_type, stray)
    [error] = registry.check_subscriptions_match_handlers()

    assert error.id == "eventbus.E001"
    assert error.msg.startswith("catalog declares ['catalog.category.changed")


@pytest.fixture
def inventory_elsewhere(settings, monkeypatch):
    """A process hosting every app but inventory: no inventory handler here."""
    settings.DOMAIN_APPS = ["users", "catalog", "orders"]
    monkeypatch.setattr(
        registry,
        "_handlers",
        {
            event_type: {c: h for c, h in consumers.items() if c != "inventory"}
            for event_type, consumers in registry._handlers.items()
        },
    )


def test_an_event_is_handed_to_the_queue_of_a_consumer_hosted_elsewhere(
    inventory_elsewhere, settings, monkeypatch
):
    settings.EVENTS_DELIVERY = "celery"
    queued = []
    monkeypatch.setattr(
        delivery, "enqueue", lambda consumer, envelope: queued.append(consumer)
    )
    envelope = Envelope(
        event_id=str(uuid.uuid4()),
        event_type=OrderPlaced.event_type,
        version=1,
        occurred_at="2030-01-01T00:00:00+00:00",
        producer="orders",
        correlation_id="c",
        causation_id="",
        payload={},
    )

    delivery.hand_over(envelope)

    assert registry.consumers_of(OrderPlaced.event_type) == ["inventory"]
    assert queued == ["inventory"]
