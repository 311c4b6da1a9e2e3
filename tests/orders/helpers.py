"""Helpers of the orders tests: request bodies, outbox reads, inventory events."""

import datetime as dt
import uuid

from django.db import DatabaseError

from apps.common.db import alias_for, atomic_for
from apps.eventbus.api import publish
from apps.eventbus.models import OutboxEvent
from apps.inventory.events import (
    ReservationExpired,
    ReservedLine,
    ShortLine,
    StockReservationFailed,
    StockReserved,
)
from apps.orders.services.pricing import redeem_voucher

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}
# ADDRESS after its customer's erasure: the country stays for tax.
ERASED_ADDRESS = {
    "name": "",
    "line1": "",
    "line2": "",
    "city": "",
    "postal_code": "",
    "country": "GB",
}
WIDGET_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
GADGET_ID = uuid.UUID("00000000-0000-4000-8000-000000000002")
RETIRED_ID = uuid.UUID("00000000-0000-4000-8000-000000000003")
EXPIRES_AT = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)
CUSTOMER = uuid.UUID("00000000-0000-4000-8000-0000000000c1")


def body(items=None, **extra):
    return {
        "items": items or [{"product_id": str(WIDGET_ID), "quantity": 2}],
        "shipping_address": dict(ADDRESS),
        **extra,
    }


def place(client, items=None, *, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        "/api/v1/orders/", body(items, **extra), format="json", **headers
    )


def outbox(event_type: str) -> list[dict]:
    return list(
        OutboxEvent.objects.using(alias_for("orders"))
        .filter(event_type=event_type)
        .order_by("id")
        .values_list("payload", flat=True)
    )


def inventory_says(event) -> None:
    with atomic_for("inventory"):
        publish(event)


def reserved(order_id, *, reservation_id=None, quantity=2):
    return StockReserved(
        order_id=order_id,
        reservation_id=reservation_id or uuid.uuid4(),
        expires_at=EXPIRES_AT,
        lines=(ReservedLine(product_id=WIDGET_ID, quantity=quantity),),
    )


def reservation_failed(order_id):
    return StockReservationFailed(
        order_id=order_id,
        short_lines=(ShortLine(product_id=WIDGET_ID, requested=2, available=1),),
    )


def expired(order_id, reservation_id):
    return ReservationExpired(order_id=order_id, reservation_id=reservation_id)


def outbox_fails(monkeypatch, module) -> None:
    """`module.publish` fails as an outbox INSERT that the database refused."""

    def publish_fails(event):
        raise DatabaseError("outbox insert failed")

    monkeypatch.setattr(module, "publish", publish_fails)


def redeem(code="SAVE10", *, order_id=None, customer_id=CUSTOMER, email=""):
    """Redeem a voucher as the checkout does, in a transaction of its own;
    returns the order id."""
    order_id = order_id or uuid.uuid4()
    with atomic_for("orders"):
        redeem_voucher(
            code=code, order_id=order_id, customer_id=customer_id, email=email
        )
    return order_id
