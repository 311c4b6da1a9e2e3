import uuid
from decimal import Decimal

import pytest

from apps.users.models import PaidOrder
from tests.users import factories


def stats(client):
    return client.get("/api/v1/users/me/").json()["stats"]


@pytest.mark.django_db
def test_paid_orders_count_and_add_up_per_currency(emit, customer, customer_client):
    emit(factories.paid(customer, amount="30.00"))
    emit(factories.paid(customer, amount="12.55"))
    emit(factories.paid(customer, amount="5.00", currency="USD"))

    assert stats(customer_client) == {
        "order_count": 3,
        "lifetime_spend": [
            {"currency": "EUR", "amount": "42.55"},
            {"currency": "USD", "amount": "5.00"},
        ],
    }


@pytest.mark.django_db
def test_redelivered_paid_event_counts_once(emit, redeliver, customer, customer_client):
    envelope = emit(factories.paid(customer, amount="30.00"))

    assert redeliver(envelope) is False

    assert stats(customer_client) == {
        "order_count": 1,
        "lifetime_spend": [{"currency": "EUR", "amount": "30.00"}],
    }


@pytest.mark.django_db
def test_refunded_order_leaves_the_stats(emit, customer, customer_client):
    kept, returned = uuid.uuid4(), uuid.uuid4()
    emit(factories.paid(customer, order_id=kept, amount="10.00"))
    emit(factories.paid(customer, order_id=returned, amount="25.00"))

    emit(factories.refunded(customer, order_id=returned, amount="25.00"))

    assert stats(customer_client) == {
        "order_count": 1,
        "lifetime_spend": [{"currency": "EUR", "amount": "10.00"}],
    }


@pytest.mark.django_db
def test_refund_arriving_before_payment_is_not_counted(emit, customer, customer_client):
    order_id = uuid.uuid4()

    emit(factories.refunded(customer, order_id=order_id))
    emit(factories.paid(customer, order_id=order_id))

    assert stats(customer_client) == {"order_count": 0, "lifetime_spend": []}
    row = PaidOrder.objects.get()
    assert row.paid_at is not None and row.refunded_at is not None


@pytest.mark.django_db
def test_stats_are_per_customer(emit, customer, other_customer, other_client):
    emit(factories.paid(customer))

    assert stats(other_client) == {"order_count": 0, "lifetime_spend": []}


@pytest.mark.django_db
def test_event_for_an_unknown_user_is_tolerated(emit, customer):
    ghost = type("Ghost", (), {"pk": uuid.uuid4()})()

    emit(factories.paid(ghost))
    emit(factories.refunded(ghost, order_id=uuid.uuid4()))

    assert PaidOrder.objects.count() == 0


@pytest.mark.django_db
def test_amounts_keep_their_cents(emit, customer):
    emit(factories.paid(customer, amount="0.10"))
    emit(factories.paid(customer, amount="0.20"))

    assert sorted(PaidOrder.objects.values_list("amount", flat=True)) == [
        Decimal("0.10"),
        Decimal("0.20"),
    ]


@pytest.mark.django_db
def test_the_largest_order_totals_add_up_beyond_one_orders_width(
    emit, customer, customer_client
):
    largest_order_total = "999999999999.99"  # Order.total is Decimal(14, 2)
    emit(factories.paid(customer, amount=largest_order_total))
    emit(factories.paid(customer, amount=largest_order_total))

    assert stats(customer_client) == {
        "order_count": 2,
        "lifetime_spend": [{"currency": "EUR", "amount": "1999999999999.98"}],
    }
