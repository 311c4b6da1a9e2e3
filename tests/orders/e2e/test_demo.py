"""`manage.py seed_demo` ends with a demo order that went through the saga."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.orders.models import Order
from apps.users.interface import demo_customer

pytestmark = pytest.mark.django_db(transaction=True)  # events run after commit


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_places_one_confirmed_order_for_the_demo_customer():
    first, second = seed(), seed()

    [order] = Order.objects.all()
    assert order.user_id == demo_customer().id
    assert order.status == "confirmed"
    assert order.lines.count() == 2
    assert f"demo order: {order.id} for customer@example.com" in first
    assert "demo order: customer@example.com has an order already" in second
