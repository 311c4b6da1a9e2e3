"""Reservations by outcome, and the stock figures computed at scrape time."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from apps.inventory import services
from apps.inventory.metrics import StockCollector
from apps.inventory.models import Reservation

pytestmark = pytest.mark.django_db


def sample(name, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped() -> dict[str, float]:
    return {
        family.name: family.samples[0].value for family in StockCollector().collect()
    }


def reserve(order_id, *lines):
    return services.stock_reserve(order_id=order_id, lines=lines, actor="test")


def test_reservations_are_counted_by_outcome(stock):
    product = stock(3)
    before = {
        o: sample("inventory_reservations_total", outcome=o)
        for o in ("reserved", "refused", "expired")
    }
    due = uuid.uuid4()

    reserve(due, (product, 2))
    reserve(due, (product, 2))  # the same order again: its first outcome
    reserve(uuid.uuid4(), (product, 5))
    Reservation.objects.filter(order_id=due).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    services.reservations_expire_due()

    assert {
        o: sample("inventory_reservations_total", outcome=o) - before[o] for o in before
    } == {"reserved": 1, "refused": 1, "expired": 1}


def test_stock_outs_and_overdue_reservations_are_read_at_scrape_time(stock):
    sold_out, plenty = stock(2), stock(9)
    stock(0)
    reserve(uuid.uuid4(), (sold_out, 2), (plenty, 1))
    late = uuid.uuid4()
    reserve(late, (plenty, 1))
    Reservation.objects.filter(order_id=late).update(
        expires_at=timezone.now() - dt.timedelta(seconds=90)
    )

    figures = scraped()

    assert figures["inventory_products_out_of_stock"] == 2
    assert figures["inventory_reservations_overdue"] == 1
    assert 90 <= figures["inventory_reservation_expiry_lag_seconds"] < 150
    services.reservations_expire_due()
    assert scraped()["inventory_reservations_overdue"] == 0
    assert scraped()["inventory_reservation_expiry_lag_seconds"] == 0
