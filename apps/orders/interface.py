"""Public functions other apps may call: plain data in, contracts out."""

import uuid

from apps.orders import selectors
from apps.orders.contracts import OrderLineSummary, OrderNotFound, OrderSummary
from apps.orders.errors import OrderDoesNotExist
from apps.orders.models import Order


def _summary(order: Order) -> OrderSummary:
    return OrderSummary(
        id=order.id,
        user_id=order.user_id,
        status=order.status,
        currency=order.currency,
        total=order.total,
        lines=tuple(
            OrderLineSummary(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
            )
            for line in order.lines.all()
        ),
        created_at=order.created_at,
    )


def order_get(*, order_id: uuid.UUID | str) -> OrderSummary:
    """The order with `order_id`; raises OrderNotFound."""
    try:
        order_uuid = uuid.UUID(str(order_id))
        return _summary(selectors.order_get(order_id=order_uuid))
    except (ValueError, OrderDoesNotExist):
        raise OrderNotFound(str(order_id)) from None
