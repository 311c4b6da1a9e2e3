"""Simultaneous checkouts of one cart (other keys, other tabs) make one order."""

import threading

import pytest
from django.db import connections

from apps.orders.models import CartLine, Order
from tests.conftest import client_for
from tests.orders.cart_helpers import CHECKOUT, add, checkout_body, method
from tests.orders.helpers import WIDGET_ID


@pytest.mark.django_db(transaction=True)
def test_simultaneous_checkouts_of_one_cart_make_one_order(customer, catalog):
    standard = method()
    add(client_for(customer), WIDGET_ID, 2)
    barrier = threading.Barrier(4, timeout=30)
    statuses: list[int] = []

    def shopper(n):
        client = client_for(customer)
        try:
            barrier.wait()
            response = client.post(
                CHECKOUT,
                checkout_body(standard.id),
                format="json",
                HTTP_IDEMPOTENCY_KEY=f"tab-{n}",
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=shopper, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # The others find the cart emptied (400 on cart) or changed under them (409).
    assert sorted(statuses)[0] == 201 and statuses.count(201) == 1
    assert set(statuses) <= {201, 400, 409}
    assert Order.objects.count() == 1
    assert CartLine.objects.count() == 0
