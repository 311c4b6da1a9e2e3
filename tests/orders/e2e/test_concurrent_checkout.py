"""Sixty simultaneous orders from twelve customers for 20 units in stock."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from apps.orders.models import Order
from tests.orders.e2e.conftest import EVERY_APP


def status_counts() -> dict[str, int]:
    """Orders per status, in one query (one snapshot while a worker runs)."""
    counts = Order.objects.order_by().values_list("status").annotate(n=Count("id"))
    return {"confirmed": 0, "failed": 0, "pending": 0} | dict(counts)


def assert_exactly_twenty_confirmed(product, stock_of, statuses, counts) -> None:
    assert statuses == [201] * 60
    assert counts == {"confirmed": 20, "failed": 40, "pending": 0}
    assert stock_of(product) == (20, 20)
    out = StringIO()
    call_command("inventory_reconcile", stdout=out)
    assert "stock is consistent" in out.getvalue()


@EVERY_APP
@pytest.mark.django_db(transaction=True)
def test_sixty_orders_for_twenty_units_confirm_exactly_twenty(
    make_product, stock_of, checkout_rush, deliver_events
):
    product = make_product(stock=20)

    statuses = checkout_rush(product)
    deliver_events()

    assert_exactly_twenty_confirmed(product, stock_of, statuses, status_counts())
