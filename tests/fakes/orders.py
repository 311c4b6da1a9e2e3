"""A fake orders app: the orders the test states, and placements it records."""

import datetime as dt
import uuid
from decimal import Decimal

from apps.common.errors import ValidationFailed
from apps.orders.contracts import (
    CustomerOrderData,
    OrderLineSummary,
    OrderNotFound,
    OrderSummary,
)


class FakeOrders:
    app = "orders"

    def __init__(self):
        self.orders: dict[uuid.UUID, OrderSummary] = {}
        # What order_place charges per product (the catalog's price there).
        self.prices: dict[uuid.UUID, Decimal] = {}

    def order_add(self, order: OrderSummary) -> OrderSummary:
        self.orders[order.id] = order
        return order

    def order_get(self, *, order_id: uuid.UUID | str) -> OrderSummary:
        try:
            return self.orders[uuid.UUID(str(order_id))]
        except (KeyError, ValueError):
            raise OrderNotFound(str(order_id)) from None

    def guest_order_link(self, *, order_id: uuid.UUID | str) -> str:
        return f"https://shop.example/orders/guest/{order_id}/fake-token/"

    def order_list(self, *, user_id: uuid.UUID | str) -> list[OrderSummary]:
        mine = [o for o in self.orders.values() if str(o.user_id) == str(user_id)]
        return sorted(mine, key=lambda o: o.created_at, reverse=True)

    def customer_data(self, *, user_id: uuid.UUID | str) -> CustomerOrderData:
        """The customer's orders; the fake keeps no addresses or payments."""
        mine = sorted(self.order_list(user_id=user_id), key=lambda o: o.created_at)
        return CustomerOrderData(orders=tuple(mine), addresses=(), payments=())

    def order_place(
        self,
        *,
        user_id: uuid.UUID | str,
        items: list[dict[str, str | int]],
        address: dict[str, str],
    ) -> OrderSummary:
        lines = tuple(self._line(item) for item in items)
        return self.order_add(
            OrderSummary(
                id=uuid.uuid4(),
                user_id=uuid.UUID(str(user_id)),
                status="pending",
                currency="EUR",
                total=sum((line.line_total for line in lines), Decimal("0")),
                lines=lines,
                created_at=dt.datetime.now(dt.UTC),
            )
        )

    def _line(self, item: dict) -> OrderLineSummary:
        product_id = uuid.UUID(str(item["product_id"]))
        if product_id not in self.prices:
            raise ValidationFailed({"items": [f"Unknown product {product_id}."]})
        price = self.prices[product_id]
        return OrderLineSummary(
            product_id=product_id,
            sku=str(product_id)[:8],
            name=str(product_id)[:8],
            unit_price=price,
            quantity=int(item["quantity"]),
            line_total=price * int(item["quantity"]),
        )
