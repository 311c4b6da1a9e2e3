"""The reconcile command, the expiry task and its schedule."""

import datetime as dt
import io
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.inventory import services, tasks
from apps.inventory.models import Reservation, StockItem
from tests.inventory.conftest import levels

pytestmark = pytest.mark.django_db


def reconcile() -> str:
    out = io.StringIO()
    call_command("inventory_reconcile", stdout=out)
    return out.getvalue()


def test_reconcile_reports_consistent_stock(stock):
    a = stock(5)
    services.stock_reserve(order_id=uuid.uuid4(), lines=[(a, 2)], actor="test")

    assert reconcile() == "stock is consistent\n"


def test_reconcile_prints_each_violation_and_fails(stock):
    a, b = stock(5), stock(4)
    services.stock_reserve(order_id=uuid.uuid4(), lines=[(a, 2)], actor="test")
    # Raw edits that bypass the services (what the command exists to catch).
    StockItem.objects.filter(pk=a).update(reserved=1)
    StockItem.objects.filter(pk=b).update(on_hand=6)
    out = io.StringIO()

    with pytest.raises(CommandError, match="3 stock invariant violation"):
        call_command("inventory_reconcile", stdout=out)

    assert out.getvalue().splitlines() == sorted(
        [
            f"{a}: reserved 1 but active reservations hold 2",
            f"{a}: reserved 1 but the ledger sums to 2",
            f"{b}: on hand 6 but the ledger sums to 4",
        ],
        key=lambda line: line.split(":")[0],
    )


def test_expiry_task_expires_due_reservations(stock):
    a = stock(3)
    order_id = uuid.uuid4()
    services.stock_reserve(order_id=order_id, lines=[(a, 3)], actor="test")
    Reservation.objects.filter(order_id=order_id).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    assert tasks.expire_reservations() == 1

    assert levels(a) == (3, 0)


def test_expiry_runs_on_the_beat_schedule_on_the_inventory_queue():
    entry = django_settings.CELERY_BEAT_SCHEDULE["inventory-expire-reservations"]

    assert entry["task"] == tasks.EXPIRE_TASK == tasks.expire_reservations.name
    assert entry["schedule"] == 60.0
    assert entry["options"] == {"queue": "inventory"}
