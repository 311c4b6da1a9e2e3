"""Cart to delivered order through a real Celery worker on PostgreSQL and
Redis (services mode), every app real."""

import pytest

from tests.orders.e2e.cart_flows import customer_journey, guest_journey
from tests.orders.e2e.conftest import EVERY_APP

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True), EVERY_APP]


def test_a_customer_from_an_empty_cart_to_a_delivered_order_through_the_worker(
    celery_worker, customer_client, staff_client, make_product, stock_of, settle
):
    customer_journey(
        customer_client=customer_client,
        staff_client=staff_client,
        make_product=make_product,
        stock_of=stock_of,
        settle=settle,
    )
    assert "Traceback" not in celery_worker.log


def test_a_guest_from_an_empty_cart_to_a_delivered_order_through_the_worker(
    celery_worker, api_client, staff_client, make_product, stock_of, settle
):
    guest_journey(
        api_client=api_client,
        staff_client=staff_client,
        make_product=make_product,
        stock_of=stock_of,
        settle=settle,
    )
    assert "Traceback" not in celery_worker.log
