"""Sixty simultaneous orders from twelve customers for 20 units in stock."""

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections

from apps.orders.models import Order
from tests.conftest import client_for, make_user
from tests.orders.helpers import ADDRESS


@pytest.mark.django_db(transaction=True)
def test_sixty_orders_for_twenty_units_confirm_exactly_twenty(make_product, stock_of):
    product = make_product(stock=20)
    customers = [make_user(email=f"buyer{i}@example.com") for i in range(12)]
    barrier = threading.Barrier(12, timeout=30)
    statuses: list[int] = []

    def shopper(user):
        client = client_for(user)
        try:
            barrier.wait()
            for _ in range(5):
                response = client.post(
                    "/api/v1/orders/",
                    {
                        "items": [{"product_id": product, "quantity": 1}],
                        "shipping_address": ADDRESS,
                    },
                    format="json",
                )
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=shopper, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [201] * 60
    counts = {
        status: Order.objects.filter(status=status).count()
        for status in ("confirmed", "failed", "pending")
    }
    assert counts == {"confirmed": 20, "failed": 40, "pending": 0}
    assert stock_of(product) == (20, 20)
    out = StringIO()
    call_command("inventory_reconcile", stdout=out)
    assert "stock is consistent" in out.getvalue()
