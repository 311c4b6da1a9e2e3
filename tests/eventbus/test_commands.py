import datetime as dt
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from apps.catalog.events import ProductDeactivated
from apps.common.db import alias_for
from apps.eventbus import outbox as outbox_module
from apps.eventbus.api import publish
from apps.eventbus.models import DeadLetter, OutboxEvent
from apps.eventbus.outbox import prune_sent, relay_once, send_rows
from apps.users.events import UserRegistered


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def publish_unsent(email: str) -> OutboxEvent:
    # An ordinary django_db test never commits: the row stays for the relay.
    with transaction.atomic(using=alias_for("users")):
        return publish(UserRegistered(user_id=uuid.uuid4(), email=email))


def outbox():
    return OutboxEvent.objects.using(alias_for("users"))


@pytest.fixture
def handed(monkeypatch) -> list[str]:
    """The event ids handed to the consumers, in order (none is delivered)."""
    ids = []
    monkeypatch.setattr(outbox_module, "hand_over", lambda e: ids.append(e.event_id))
    return ids


@pytest.mark.django_db
def test_relay_once_sends_unsent_rows_in_order_of_creation(probe):
    rows = [publish_unsent(f"ok-{i}@example.com") for i in range(5)]

    output = run("events_relay", "--once", "--batch-size", "2")

    assert output == "relayed 5 event(s)\n"
    assert [e[1] for e in probe.effects()] == [
        f"ok-{i}@example.com"
        for i in sorted(range(5), key=lambda i: str(rows[i].event_id))
    ]
    assert outbox().filter(sent_at__isnull=True).count() == 0
    assert run("events_relay", "--once") == "relayed 0 event(s)\n"


@pytest.mark.django_db
def test_relay_preserves_publication_order(probe, monkeypatch):
    from apps.eventbus import outbox as outbox_module

    handed = []
    monkeypatch.setattr(
        outbox_module, "hand_over", lambda envelope: handed.append(envelope.event_id)
    )
    rows = [publish_unsent(f"ok-{i}@example.com") for i in range(4)]

    run("events_relay", "--once", "--batch-size", "3")

    assert handed == [str(row.event_id) for row in rows]


@pytest.mark.django_db
def test_prune_deletes_only_rows_sent_before_the_retention_period():
    old_sent, recent_sent, old_unsent = (
        publish_unsent(f"ok-{i}@example.com") for i in range(3)
    )
    long_ago = timezone.now() - dt.timedelta(days=8)
    outbox().filter(pk=old_sent.pk).update(sent_at=long_ago)
    outbox().filter(pk=recent_sent.pk).update(sent_at=timezone.now())
    outbox().filter(pk=old_unsent.pk).update(created_at=long_ago)

    output = run("events_prune", "--older-than-days", "7")

    assert output == "pruned 1 sent event(s)\n"
    assert sorted(outbox().values_list("pk", flat=True)) == sorted(
        [recent_sent.pk, old_unsent.pk]
    )


@pytest.mark.django_db
def test_prune_without_a_retention_keeps_the_configured_days(settings):
    days = settings.EVENTS_RETENTION_DAYS
    past, within = (publish_unsent(f"ok-{i}@example.com") for i in range(2))
    outbox().filter(pk=past.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=days, hours=1)
    )
    outbox().filter(pk=within.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=days, hours=-1)
    )

    output = run("events_prune")

    assert output == "pruned 1 sent event(s)\n"
    assert list(outbox().values_list("pk", flat=True)) == [within.pk]


@pytest.mark.django_db
def test_prune_with_a_given_retention_uses_it_not_the_configured_days(settings):
    settings.EVENTS_RETENTION_DAYS = 30
    row = publish_unsent("ok-1@example.com")
    outbox().filter(pk=row.pk).update(sent_at=timezone.now() - dt.timedelta(days=2))

    assert prune_sent(older_than_days=1) == 1

    assert not outbox().exists()


@pytest.mark.django_db
def test_with_celery_the_relay_leaves_rows_in_their_grace_to_their_dispatch(
    settings, handed
):
    settings.EVENTS_DELIVERY = "celery"
    settings.EVENTS_RELAY_GRACE_SECONDS = 60
    young, old = (publish_unsent(f"ok-{i}@example.com") for i in range(2))
    outbox().filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=61)
    )

    assert relay_once() == 1

    assert handed == [str(old.event_id)]
    assert list(outbox().filter(sent_at__isnull=True)) == [young]


@pytest.mark.django_db
def test_without_a_grace_the_relay_sends_a_row_stamped_by_a_clock_ahead(handed):
    # Another host's clock may run ahead of this one's.
    row = publish_unsent("ok-1@example.com")
    outbox().filter(pk=row.pk).update(
        created_at=timezone.now() + dt.timedelta(minutes=1)
    )

    assert relay_once(grace_seconds=0) == 1

    assert handed == [str(row.event_id)]


@pytest.mark.django_db
def test_the_relay_sends_a_backlog_in_batches_of_its_size(handed, monkeypatch):
    for i in range(5):
        publish_unsent(f"ok-{i}@example.com")
    batches = []
    send_rows = outbox_module.send_rows

    def counted(*args, **kwargs):
        batches.append(send_rows(*args, **kwargs))
        return batches[-1]

    monkeypatch.setattr(outbox_module, "send_rows", counted)

    assert relay_once(batch_size=2, grace_seconds=0) == 5

    assert [sent for sent in batches if sent] == [2, 2, 1]


@pytest.mark.django_db
def test_replay_by_id_hands_over_that_event_only(handed):
    rows = [publish_unsent(f"ok-{i}@example.com") for i in range(2)]

    output = run("events_replay", "--id", str(rows[1].event_id))

    assert output == "replayed 1 event(s)\n"
    assert handed == [str(rows[1].event_id)]


@pytest.mark.django_db
def test_a_relay_batch_sends_at_most_its_limit_oldest_first(probe):
    rows = [publish_unsent(f"ok-{i}@example.com") for i in range(5)]

    assert send_rows(alias_for("users"), limit=2) == 2

    unsent = outbox().filter(sent_at__isnull=True).order_by("id")
    assert list(unsent.values_list("pk", flat=True)) == [r.pk for r in rows[2:]]
    assert len(probe.effects()) == 2


@pytest.mark.django_db
def test_dead_letters_are_listed_and_shown(probe, settings):
    settings.EVENTS_MAX_ATTEMPTS = 2
    row = publish_unsent("fail-x@example.com")
    run("events_relay", "--once")

    listing = run("events_dead_letters", "list")
    shown = run("events_dead_letters", "show", str(row.event_id))

    assert listing.startswith(f"{row.event_id}  catalog    users.user.registered.v1  ")
    assert "attempts=2" in listing
    assert listing.endswith(
        "RuntimeError: probe handler broken for fail-x@example.com\n"
        "1 pending dead letter(s)\n"
    )
    assert f"event {row.event_id} for catalog\n" in shown
    assert "replayed: no\n" in shown
    assert '"email": "fail-x@example.com"' in shown


@pytest.mark.django_db
def test_replay_all_dead_letters_after_the_fix_applies_each_once(probe, settings):
    settings.EVENTS_MAX_ATTEMPTS = 1
    rows = [publish_unsent(f"fail-{i}@example.com") for i in range(2)]
    run("events_relay", "--once")
    probe.fix()

    output = run("events_dead_letters", "replay", "--all")
    again = run("events_dead_letters", "replay", "--all")

    assert (output, again) == (
        "replayed 2 dead letter(s)\n",
        "replayed 0 dead letter(s)\n",
    )
    assert sorted(e[0] for e in probe.effects()) == sorted(
        str(r.event_id) for r in rows
    )
    assert run("events_dead_letters", "list") == "0 pending dead letter(s)\n"


@pytest.mark.django_db
def test_unknown_dead_letter_and_bad_ids_are_command_errors():
    missing = uuid.uuid4()

    with pytest.raises(CommandError, match=f"no dead letter for event {missing}"):
        run("events_dead_letters", "show", str(missing))
    with pytest.raises(CommandError, match="not an event id"):
        run("events_dead_letters", "show", "42")
    assert DeadLetter.objects.using(alias_for("catalog")).count() == 0


@pytest.mark.django_db
def test_replay_by_type_and_since_re_delivers_without_applying_twice(probe):
    rows = [publish_unsent(f"ok-{i}@example.com") for i in range(3)]
    run("events_relay", "--once")
    outbox().filter(pk=rows[0].pk).update(
        created_at=timezone.now() - dt.timedelta(hours=2)
    )
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()

    by_since = run("events_replay", "--since", since)
    by_type = run("events_replay", "--type", UserRegistered.event_type)

    assert (by_since, by_type) == ("replayed 2 event(s)\n", "replayed 3 event(s)\n")
    assert len(probe.effects()) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give at least one of --since, --type, --id"),
        (("--since", "yesterday"), "--since needs an ISO 8601 time"),
        (("--since", "2026-11-24T01:00:00"), "--since needs an ISO 8601 time"),
        (("--id", "nope"), "--id needs an event id"),
    ],
)
def test_replay_refuses_missing_or_bad_filters(args, message):
    with pytest.raises(CommandError, match=message):
        run("events_replay", *args)


@pytest.mark.django_db
def test_prune_of_one_producer_keeps_the_rows_of_the_others():
    long_ago = timezone.now() - dt.timedelta(days=30)
    users_row = publish_unsent("ok-1@example.com")
    with transaction.atomic(using=alias_for("catalog")):
        catalog_row = publish(ProductDeactivated(product_id=uuid.uuid4()))
    for app in ("users", "catalog"):
        OutboxEvent.objects.using(alias_for(app)).update(sent_at=long_ago)

    assert prune_sent(producer="users") == 1

    assert not outbox().filter(pk=users_row.pk).exists()
    catalog = OutboxEvent.objects.using(alias_for("catalog"))
    assert catalog.filter(pk=catalog_row.pk).exists()
