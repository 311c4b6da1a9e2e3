"""The inventory's answers move the order (DESIGN.md section 3)."""

import uuid

import pytest

from apps.common.db import alias_for
from apps.eventbus.consumer import apply_event
from apps.eventbus.models import OutboxEvent
from apps.eventbus.outbox import envelope_of
from apps.orders.models import Order
from apps.orders.services.lifecycle import order_cancel
from tests.orders.helpers import (
    EXPIRES_AT,
    expired,
    inventory_says,
    outbox,
    reservation_failed,
    reserved,
)

pytestmark = pytest.mark.django_db


def test_stock_reserved_confirms_and_keeps_the_expiry(placed_order, deliver_events):
    reservation_id = uuid.uuid4()
    inventory_says(reserved(placed_order.id, reservation_id=reservation_id))

    deliver_events()

    placed_order.refresh_from_db()
    assert placed_order.status == "confirmed"
    assert placed_order.reservation_id == reservation_id
    assert placed_order.reservation_expires_at == EXPIRES_AT
    assert outbox("orders.order.confirmed.v1") == [
        {
            "order_id": str(placed_order.id),
            "user_id": str(placed_order.user_id),
            "email": "",
            "reservation_expires_at": EXPIRES_AT.isoformat(),
        }
    ]


def test_a_redelivered_reservation_is_a_no_op(placed_order, deliver_events):
    inventory_says(reserved(placed_order.id))
    row = OutboxEvent.objects.using(alias_for("inventory")).get(
        event_type="inventory.stock.reserved.v1"
    )
    deliver_events()

    again = apply_event("orders", envelope_of(row))

    assert again is False
    assert len(outbox("orders.order.confirmed.v1")) == 1


def test_reservation_failure_fails_the_order_with_the_reason(
    placed_order, deliver_events
):
    inventory_says(reservation_failed(placed_order.id))

    deliver_events()

    placed_order.refresh_from_db()
    assert placed_order.status == "failed"
    reason = "insufficient stock (00000000-0000-4000-8000-000000000001: requested 2)"
    assert placed_order.status_reason == reason
    assert outbox("orders.order.failed.v1") == [
        {
            "order_id": str(placed_order.id),
            "user_id": str(placed_order.user_id),
            "email": "",
            "reason": reason,
        }
    ]


def test_the_reason_shows_the_stock_level_where_the_shop_chooses(
    placed_order, deliver_events, settings
):
    settings.ORDERS_DISCLOSE_STOCK = True
    inventory_says(reservation_failed(placed_order.id))

    deliver_events()

    placed_order.refresh_from_db()
    assert placed_order.status_reason.endswith("requested 2, available 1)")


def test_expired_reservation_cancels_an_unpaid_order(confirmed_order, deliver_events):
    inventory_says(expired(confirmed_order.id, confirmed_order.reservation_id))

    deliver_events()

    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "cancelled"
    assert confirmed_order.status_reason == "reservation_expired"
    assert outbox("orders.order.cancelled.v1") == [
        {
            "order_id": str(confirmed_order.id),
            "user_id": str(confirmed_order.user_id),
            "email": "",
            "reason": "reservation_expired",
        }
    ]


def test_reservation_for_a_cancelled_order_is_ignored(placed_order, deliver_events):
    order_cancel(order_id=placed_order.id, user_id=placed_order.user_id)
    inventory_says(reserved(placed_order.id))

    deliver_events()

    placed_order.refresh_from_db()
    assert placed_order.status == "cancelled"
    assert placed_order.reservation_id is None
    assert outbox("orders.order.confirmed.v1") == []


def test_late_failure_after_confirmation_is_ignored(confirmed_order, deliver_events):
    inventory_says(reservation_failed(confirmed_order.id))

    deliver_events()

    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "confirmed"
    assert outbox("orders.order.failed.v1") == []


def test_expiry_of_a_paid_order_is_ignored(paid_order, deliver_events):
    inventory_says(expired(paid_order.id, paid_order.reservation_id))

    deliver_events()

    paid_order.refresh_from_db()
    assert paid_order.status == "paid"
    assert outbox("orders.order.cancelled.v1") == []


def test_expiry_of_another_reservation_is_ignored(confirmed_order, deliver_events):
    inventory_says(expired(confirmed_order.id, uuid.uuid4()))

    deliver_events()

    confirmed_order.refresh_from_db()
    assert confirmed_order.status == "confirmed"


def test_events_for_unknown_orders_are_ignored(deliver_events, db):
    inventory_says(reserved(uuid.uuid4()))
    inventory_says(reservation_failed(uuid.uuid4()))

    assert deliver_events() == 2
    assert Order.objects.count() == 0
    assert outbox("orders.order.confirmed.v1") == []
