"""What the orders app keeps about a customer: exported through its interface,
anonymized on users.user.erased.v1 (once, whatever the deliveries)."""

import uuid
from decimal import Decimal

import pytest

from apps.common.db import alias_for, atomic_for
from apps.eventbus.api import publish
from apps.eventbus.consumer import apply_event
from apps.eventbus.models import OutboxEvent
from apps.eventbus.outbox import envelope_of
from apps.orders.contracts import PaymentData, ShippingAddressData
from apps.orders.interface import customer_data
from apps.orders.models import IdempotencyRecord, Order
from apps.users.events import UserErased
from tests.orders.helpers import ADDRESS, ERASED_ADDRESS, place

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("interface_transport")
def test_customer_data_has_the_orders_addresses_and_payments(paid_order, customer):
    data = customer_data(user_id=str(customer.id))

    assert [o.id for o in data.orders] == [paid_order.id]
    assert data.addresses == (ShippingAddressData(**{"line2": "", **ADDRESS}),)
    [payment] = data.payments
    assert payment == PaymentData(
        order_id=paid_order.id,
        amount=Decimal("39.98"),
        currency="EUR",
        status="captured",
        created_at=payment.created_at,
    )


@pytest.mark.usefixtures("interface_transport")
def test_customer_data_of_a_stranger_is_empty(placed_order):
    data = customer_data(user_id=str(uuid.uuid4()))

    assert (data.orders, data.addresses, data.payments) == ((), (), ())


def erase(user_id) -> dict:
    with atomic_for("users"):
        row = publish(UserErased(user_id=user_id))
    return envelope_of(OutboxEvent.objects.using(alias_for("users")).get(pk=row.pk))


def shipping(order: Order) -> dict:
    order.refresh_from_db()
    return {
        name: getattr(order, f"shipping_{name}")
        for name in ("name", "line1", "line2", "city", "postal_code", "country")
    }


def test_erasure_blanks_the_address_keeps_the_order_and_repeats_as_a_no_op(
    customer, customer_client, other_client, catalog, deliver_events
):
    mine = place(customer_client, key="k-1")
    theirs = place(other_client)
    order = Order.objects.get(pk=mine.json()["id"])
    other = Order.objects.get(pk=theirs.json()["id"])

    envelope = erase(customer.id)
    deliver_events()
    after_first = shipping(order)
    again = apply_event("orders", envelope)

    assert after_first == ERASED_ADDRESS
    assert again is False  # the inbox knew it
    assert shipping(order) == after_first
    order.refresh_from_db()
    assert (order.total, order.user_id) == (Decimal("39.98"), customer.id)
    assert not IdempotencyRecord.objects.filter(user_id=customer.id).exists()
    assert shipping(other)["name"] == "Ada Lovelace"


def test_the_handler_itself_is_idempotent(customer, customer_client, catalog):
    from apps.orders.services.privacy import customer_data_erase

    place(customer_client)

    assert customer_data_erase(user_id=customer.id) == 1
    assert customer_data_erase(user_id=customer.id) == 1
    assert Order.objects.get().shipping_name == ""
