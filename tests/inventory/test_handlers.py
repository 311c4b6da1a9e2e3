import uuid
from decimal import Decimal

import pytest

from apps.catalog.events import ProductCreated
from apps.common.db import atomic_for
from apps.eventbus.api import publish
from apps.inventory.models import Reservation, StockItem
from apps.orders.events import (
    OrderCancelled,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    PlacedLine,
)
from tests.inventory.conftest import ledger, levels, published

pytestmark = pytest.mark.django_db

USER = uuid.uuid4()


def emit(event):
    with atomic_for(event.producer_app()):
        publish(event)


def placed(order_id, *lines):
    return OrderPlaced(
        order_id=order_id,
        user_id=USER,
        lines=tuple(
            PlacedLine(
                product_id=pid,
                sku=f"SKU-{i}",
                name="Thing",
                quantity=qty,
                unit_price=Decimal("2.50"),
            )
            for i, (pid, qty) in enumerate(lines)
        ),
        total=Decimal("2.50") * sum(q for _, q in lines),
        currency="EUR",
    )


def test_product_created_makes_an_empty_stock_item_once(db, deliver_events):
    product_id = uuid.uuid4()
    event = ProductCreated(
        product_id=product_id,
        sku="MUG-1",
        name="Mug",
        price=Decimal("9.90"),
        currency="EUR",
    )

    emit(event)
    emit(event)  # a second event for the same product (not a redelivery)
    deliver_events()

    assert StockItem.objects.filter(pk=product_id).count() == 1
    assert levels(product_id) == (0, 0)


def test_order_lifecycle_through_events(stock, deliver_events):
    a, b = stock(3), stock(4)
    order_id = uuid.uuid4()

    emit(placed(order_id, (a, 1), (b, 2)))
    deliver_events()
    assert (levels(a), levels(b)) == ((3, 1), (4, 2))
    [reserved] = published("inventory.stock.reserved.v1")
    assert reserved["order_id"] == str(order_id)

    emit(
        OrderPaid(
            order_id=order_id,
            user_id=USER,
            payment_id=uuid.uuid4(),
            amount=Decimal("7.50"),
            currency="EUR",
        )
    )
    deliver_events()
    assert (levels(a), levels(b)) == ((2, 0), (2, 0))

    emit(
        OrderRefunded(
            order_id=order_id, user_id=USER, amount=Decimal("7.50"), currency="EUR"
        )
    )
    deliver_events()
    assert (levels(a), levels(b)) == ((3, 0), (4, 0))
    assert ledger(a)[-1] == ("return", 1, 0)
    assert Reservation.objects.get(order_id=order_id).status == "returned"
    assert ledger(a)[1:] == [("reservation", 0, 1), ("sale", -1, -1), ("return", 1, 0)]


def test_cancelled_order_releases_its_reservation(stock, deliver_events):
    a = stock(2)
    order_id = uuid.uuid4()
    emit(placed(order_id, (a, 2)))
    deliver_events()

    emit(OrderCancelled(order_id=order_id, user_id=USER, reason="changed mind"))
    deliver_events()

    assert levels(a) == (2, 0)
    [released] = published("inventory.stock.released.v1")
    assert released["reason"] == "changed mind"


def test_order_placed_twice_for_one_order_reserves_once(stock, deliver_events):
    a = stock(5)
    order_id = uuid.uuid4()

    emit(placed(order_id, (a, 2)))
    emit(placed(order_id, (a, 2)))
    deliver_events()

    assert levels(a) == (5, 2)
    assert Reservation.objects.filter(order_id=order_id).count() == 1


@pytest.mark.parametrize("event_class", [OrderCancelled, OrderPaid, OrderRefunded])
def test_late_events_for_unknown_orders_are_tolerated(
    stock, deliver_events, event_class
):
    a = stock(1)
    extra = {
        OrderCancelled: {"reason": "x"},
        OrderPaid: {
            "payment_id": uuid.uuid4(),
            "amount": Decimal(1),
            "currency": "EUR",
        },
        OrderRefunded: {"amount": Decimal(1), "currency": "EUR"},
    }[event_class]

    emit(event_class(order_id=uuid.uuid4(), user_id=USER, **extra))
    deliver_events()

    assert levels(a) == (1, 0)
    assert Reservation.objects.count() == 0
