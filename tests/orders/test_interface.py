import uuid
from decimal import Decimal

import pytest

from apps.orders.contracts import OrderLineSummary, OrderNotFound, OrderSummary
from apps.orders.interface import order_get
from tests.orders.helpers import WIDGET_ID

pytestmark = pytest.mark.django_db


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
