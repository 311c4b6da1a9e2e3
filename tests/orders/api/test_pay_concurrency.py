import threading

import pytest
from django.db import connections

from apps.orders.gateway import TestGateway
from apps.orders.models import Payment
from tests.conftest import client_for
from tests.orders.helpers import outbox


@pytest.mark.django_db(transaction=True)
def test_simultaneous_pay_requests_capture_once(customer, confirmed_order, settings):
    # Requests that resume the same attempt meet the provider's "same key in
    # progress" answer and retry after a short backoff.
    settings.ORDERS_GATEWAY_BACKOFF_SECONDS = 0.05
    barrier = threading.Barrier(6, timeout=30)
    statuses: list[int] = []

    def payer():
        client = client_for(customer)
        try:
            barrier.wait()
            response = client.post(
                f"/api/v1/orders/{confirmed_order.id}/pay/",
                {"payment_token": "tok_success"},
                format="json",
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=payer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(statuses) == 6
    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    assert TestGateway.captures() == 1
    assert list(Payment.objects.values_list("status", flat=True)) == ["captured"]
    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "paid"
    assert len(outbox("orders.order.paid.v1")) == 1
