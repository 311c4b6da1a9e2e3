"""A demo order for `manage.py seed_demo` (private): two in-stock products for
the demo customer, placed through the service, so its events drive the saga
like any order (confirmed at once in the embedded default, by the workers in
services mode). Skipped while the customer has an order already."""

from apps.catalog.interface import active_products
from apps.inventory.interface import stock_availability
from apps.orders.models import Order
from apps.orders.services.placement import (
    RequestedLine,
    ShippingAddress,
    order_place,
)
from apps.users.interface import demo_customer

ADDRESS = ShippingAddress(
    name="Demo Customer",
    line1="1 Demo Street",
    city="Berlin",
    postal_code="10115",
    country="DE",
)


def seed(*, stdout) -> None:
    customer = demo_customer()
    if customer is None:
        stdout.write("demo order: no demo customer")
        return
    if Order.objects.filter(user_id=customer.id).exists():
        stdout.write(f"demo order: {customer.email} has an order already")
        return
    products = active_products(limit=10)
    stock = stock_availability(product_ids=[p.id for p in products])
    in_stock = [p for p in products if p.id in stock and stock[p.id].available][:2]
    if not in_stock:
        stdout.write(
            "demo order: no product in stock yet (in services mode the workers"
            " create the stock items); run this again once they are delivered"
        )
        return
    order = order_place(
        user_id=customer.id,
        items=[RequestedLine(product_id=p.id, quantity=1) for p in in_stock],
        address=ADDRESS,
    )
    stdout.write(
        f"demo order: {order.id} for {customer.email}, {order.total} {order.currency}"
    )
