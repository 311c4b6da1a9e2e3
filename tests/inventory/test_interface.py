import uuid

import pytest

from apps.common.errors import ValidationFailed
from apps.inventory import services
from apps.inventory.contracts import StockAvailability, StockNotFound
from apps.inventory.interface import stock_availability, stock_receive
from tests.inventory.conftest import ledger, levels

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("interface_transport")]


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


def test_an_id_that_is_not_a_uuid_is_a_validation_error(db):
    with pytest.raises(ValidationFailed) as refused:
        stock_availability(product_ids=["not-a-uuid"])

    assert refused.value.extra["errors"] == {"product_ids": ["Each id must be a UUID."]}


def test_stock_receive_applies_a_reference_once_per_product(stock):
    a, b = stock(0), stock(3)

    first = stock_receive(product_id=str(a), quantity=5, reference="DN-7", actor="t")
    again = stock_receive(product_id=a, quantity=5, reference=" DN-7 ", actor="t")
    other = stock_receive(product_id=b, quantity=5, reference="DN-7", actor="t")

    assert (first, again, other) == (True, False, True)
    assert [levels(a), levels(b)] == [(5, 0), (8, 0)]
    assert ledger(a) == [("receipt", 5, 0)]


@pytest.mark.parametrize("product_id", [uuid.uuid4(), "not-a-uuid"])
def test_stock_receive_of_an_unknown_item_is_stock_not_found(db, product_id):
    with pytest.raises(StockNotFound):
        stock_receive(product_id=product_id, quantity=1, reference="DN", actor="t")


@pytest.mark.parametrize(
    ("quantity", "reference", "field"),
    [
        (0, "DN", "quantity"),
        (-2, "DN", "quantity"),
        (1, " ", "reference"),
        # A negative quantity is checked only once the input is otherwise valid.
        (-2, " ", "reference"),
    ],
)
def test_stock_receive_refuses_bad_input_and_changes_nothing(
    stock, quantity, reference, field
):
    a = stock(4)

    with pytest.raises(ValidationFailed) as refused:
        stock_receive(product_id=a, quantity=quantity, reference=reference, actor="t")

    assert list(refused.value.extra["errors"]) == [field]
    assert levels(a) == (4, 0)
