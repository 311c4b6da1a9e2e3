import uuid
from decimal import Decimal

import pytest

from apps.common.errors import ValidationFailed
from apps.orders.contracts import OrderLineSummary, OrderNotFound, OrderSummary
from apps.orders.interface import order_get, order_list, order_place
from tests.orders.helpers import ADDRESS, WIDGET_ID

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("interface_transport")]


def test_order_get_returns_the_read_only_contract(placed_order):
    summary = order_get(order_id=str(placed_order.id))

    assert summary == OrderSummary(
        id=placed_order.id,
        user_id=placed_order.user_id,
        status="pending",
        currency="EUR",
        total=Decimal("39.98"),
        lines=(
            OrderLineSummary(
                product_id=WIDGET_ID,
                sku="WID-1",
                name="Widget",
                unit_price=Decimal("19.99"),
                quantity=2,
                line_total=Decimal("39.98"),
            ),
        ),
        created_at=placed_order.created_at,
    )


@pytest.mark.parametrize("order_id", [uuid.uuid4(), "not-a-uuid"])
def test_order_get_raises_order_not_found(order_id):
    with pytest.raises(OrderNotFound):
        order_get(order_id=order_id)


def test_order_place_prices_from_the_catalog_and_order_list_shows_it(customer, catalog):
    placed = order_place(
        user_id=str(customer.id),
        items=[{"product_id": str(WIDGET_ID), "quantity": 2}],
        address={**ADDRESS, "country": "de"},
    )

    assert (placed.status, placed.total) == ("pending", Decimal("39.98"))
    assert order_list(user_id=customer.id) == [placed]
    assert order_list(user_id=uuid.uuid4()) == []


@pytest.mark.parametrize(
    ("items", "address", "errors"),
    [
        ([{"product_id": "junk", "quantity": 1}], ADDRESS, "items"),
        ([{"product_id": str(WIDGET_ID), "quantity": 0}], ADDRESS, "items"),
        ([{"product_id": str(WIDGET_ID)}], ADDRESS, "items"),
        ([{"product_id": str(WIDGET_ID), "quantity": 1}], {}, "address"),
        (
            [{"product_id": str(WIDGET_ID), "quantity": 1}],
            {**ADDRESS, "country": "XX", "floor": "3"},
            "address",
        ),
        (
            [{"product_id": str(WIDGET_ID), "quantity": 1}],
            {**ADDRESS, "postal_code": "<b>1</b>"},
            "address",
        ),
    ],
)
def test_order_place_refuses_bad_input_and_stores_nothing(
    customer, catalog, items, address, errors
):
    with pytest.raises(ValidationFailed) as refused:
        order_place(user_id=customer.id, items=items, address=address)

    assert list(refused.value.extra["errors"]) == [errors]
    assert order_list(user_id=customer.id) == []


def test_order_place_checks_the_postal_code_as_the_api_does(customer, catalog):
    with pytest.raises(ValidationFailed) as refused:
        order_place(
            user_id=customer.id,
            items=[{"product_id": str(WIDGET_ID), "quantity": 1}],
            address={**ADDRESS, "postal_code": "<b>1</b>"},
        )

    assert refused.value.extra["errors"] == {
        "address": {"postal_code": ["Enter a valid postal code."]}
    }
