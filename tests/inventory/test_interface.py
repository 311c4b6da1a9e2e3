import uuid

import pytest

from apps.inventory import services
from apps.inventory.contracts import StockAvailability
from apps.inventory.interface import stock_availability

pytestmark = pytest.mark.django_db


def test_availability_of_known_products_keyed_by_id(stock):
    a, b = stock(5), stock(0)
    services.stock_reserve(order_id=uuid.uuid4(), lines=[(a, 2)], actor="test")

    result = stock_availability(product_ids=[str(a), b, uuid.uuid4()])

    assert result == {
        a: StockAvailability(product_id=a, on_hand=5, reserved=2, available=3),
        b: StockAvailability(product_id=b, on_hand=0, reserved=0, available=0),
    }


def test_no_ids_no_query_result(db):
    assert stock_availability(product_ids=[]) == {}


def test_an_id_that_is_not_a_uuid_is_a_value_error(db):
    with pytest.raises(ValueError):
        stock_availability(product_ids=["not-a-uuid"])
