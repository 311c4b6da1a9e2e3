"""The reservation's outbox rows as dispatched after commit (from memory, as
the Celery path sends them) equal the rows in the database (as the relay and
in-process delivery read them), on every database."""

import uuid

import pytest

from apps.common.db import alias_for
from apps.eventbus.models import OutboxEvent
from apps.eventbus.outbox import envelope_of
from apps.inventory import services
from apps.inventory.models import Reservation, StockMovement
from tests.inventory.conftest import ledger, levels, make_stock

RESERVED = "inventory.stock.reserved.v1"
LEVEL = "inventory.stock.level_changed.v1"
AVAILABILITY = "inventory.stock.availability_changed.v1"


@pytest.fixture
def dispatched(monkeypatch):
    rows: list[OutboxEvent] = []
    monkeypatch.setattr(
        "apps.eventbus.outbox.dispatch_after_commit",
        lambda alias, batch: rows.extend(batch),
    )
    return rows


def stored(row: OutboxEvent) -> OutboxEvent:
    return OutboxEvent.objects.using(alias_for("inventory")).get(pk=row.pk)


@pytest.mark.django_db
def test_dispatched_rows_equal_the_stored_rows(
    dispatched, django_capture_on_commit_callbacks
):
    a, b = sorted([uuid.uuid4(), uuid.uuid4()])
    make_stock(5, a), make_stock(4, b)
    order_id = uuid.uuid4()
    dispatched.clear()

    with django_capture_on_commit_callbacks(using=alias_for("inventory"), execute=True):
        reservation = services.stock_reserve(
            order_id=order_id, lines=[(b, 1), (a, 2)], actor="test"
        )

    assert [row.event_type for row in dispatched] == [RESERVED, LEVEL, LEVEL]
    assert [envelope_of(row) for row in dispatched] == [
        envelope_of(stored(row)) for row in dispatched
    ]
    assert dispatched[0].payload["reservation_id"] == str(reservation.id)
    assert [row.payload for row in dispatched[1:]] == [
        {
            "product_id": str(a),
            "on_hand": 5,
            "reserved": 2,
            "available": 3,
            "version": 2,
        },
        {
            "product_id": str(b),
            "on_hand": 4,
            "reserved": 1,
            "available": 3,
            "version": 2,
        },
    ]
    assert ledger(a)[-1] == ("reservation", 0, 2)
    assert ledger(b)[-1] == ("reservation", 0, 1)
    assert Reservation.objects.get(order_id=order_id).pk == reservation.pk


@pytest.mark.django_db(transaction=True)
def test_one_product_outside_a_transaction_commits_or_writes_nothing(dispatched):
    # On PostgreSQL this is the autocommitted single statement.
    a = make_stock(3)
    dispatched.clear()
    movements = StockMovement.objects.count()

    reservation = services.stock_reserve(
        order_id=uuid.uuid4(), lines=[(a, 3)], actor="test"
    )

    assert reservation.status == "active"
    assert levels(a) == (3, 3)
    assert [row.event_type for row in dispatched] == [RESERVED, LEVEL, AVAILABILITY]
    assert [envelope_of(row) for row in dispatched] == [
        envelope_of(stored(row)) for row in dispatched
    ]
    assert dispatched[1].payload["version"] == 2
    assert StockMovement.objects.count() == movements + 1

    refused = services.stock_reserve(
        order_id=uuid.uuid4(), lines=[(a, 1)], actor="test"
    )

    assert refused.status == "failed"
    assert levels(a) == (3, 3)
    assert StockMovement.objects.count() == movements + 1
    assert [row.event_type for row in dispatched][3:] == [
        "inventory.stock.reservation_failed.v1"
    ]
