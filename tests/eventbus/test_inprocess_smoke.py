import uuid

import pytest
from django.db import transaction

from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.api import publish
from apps.eventbus.models import InboxRecord, OutboxEvent
from apps.users.events import UserRegistered


@pytest.fixture
def recorded(monkeypatch):
    seen = []
    monkeypatch.setitem(
        registry._handlers,
        UserRegistered.event_type,
        {"catalog": lambda e, m: seen.append((e, m))},
    )
    return seen


@pytest.mark.django_db(transaction=True)
def test_committed_event_is_delivered_once_after_commit(recorded):
    event = UserRegistered(user_id=uuid.uuid4(), email="a@example.com")

    with transaction.atomic():
        publish(event)
        assert recorded == []

    assert [e for e, _ in recorded] == [event]
    assert (
        OutboxEvent.objects.using(alias_for("users"))
        .filter(sent_at__isnull=True)
        .count()
        == 0
    )
    assert (
        InboxRecord.objects.using(alias_for("catalog"))
        .filter(consumer="catalog")
        .count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_rolled_back_event_is_never_delivered(recorded):
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(UserRegistered(user_id=uuid.uuid4(), email="a@example.com"))
        raise RuntimeError

    assert recorded == []
    assert OutboxEvent.objects.using(alias_for("users")).count() == 0
