"""A customer's data export and erasure, with the orders app's answers from
its fake (tests/fakes/orders.py); tests/users/test_erasure_across_apps.py
erases with the real orders app."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from apps.common.db import alias_for
from apps.eventbus.models import OutboxEvent
from apps.orders.contracts import OrderSummary
from apps.users.models import CustomerEmail
from tests.users import factories
from tests.users.conftest import PASSWORD, bearer

User = get_user_model()
EXPORT = "/api/v1/users/me/export/"
ERASE = "/api/v1/users/me/erase/"
pytestmark = pytest.mark.django_db


def an_order(user, *, status: str) -> OrderSummary:
    return OrderSummary(
        id=uuid.uuid4(),
        user_id=user.pk,
        status=status,
        currency="EUR",
        total=Decimal("19.99"),
        lines=(),
        created_at=dt.datetime(2026, 1, 20, 12, tzinfo=dt.UTC),
    )


def test_the_export_gathers_profile_orders_and_e_mails(
    customer_client, customer, fake_orders, emit
):
    order = fake_orders.order_add(an_order(customer, status="delivered"))
    fake_orders.order_add(an_order(User(pk=uuid.uuid4()), status="paid"))
    emit(factories.paid(customer, order_id=order.id, amount="19.99"))

    response = customer_client.get(EXPORT)

    assert response.status_code == 200
    document = response.json()
    assert document["format"] == "shop.personal-data.v1"
    assert document["profile"]["email"] == "customer@example.com"
    assert document["profile"]["stats"] == {
        "order_count": 1,
        "lifetime_spend": [{"currency": "EUR", "amount": "19.99"}],
    }
    assert [o["id"] for o in document["orders"]] == [str(order.id)]
    assert document["orders"][0]["total"] == "19.99"
    assert [(n["kind"], n["order_id"]) for n in document["notifications"]] == [
        ("paid", str(order.id))
    ]
    assert "password" not in response.content.decode()


def test_staff_export_a_customers_data_and_nobody_else_does(
    staff_client, customer_client, customer, other_customer, fake_orders
):
    url = f"/api/v1/users/{customer.pk}/export/"

    by_staff = staff_client.get(url)
    by_other = customer_client.get(f"/api/v1/users/{other_customer.pk}/export/")
    unknown = staff_client.get(f"/api/v1/users/{uuid.uuid4()}/export/")

    assert by_staff.status_code == 200
    assert by_staff.json()["profile"]["id"] == str(customer.pk)
    assert by_other.status_code == 403
    assert unknown.status_code == 404


def erased_events() -> list[dict]:
    return list(
        OutboxEvent.objects.using(alias_for("users"))
        .filter(event_type="users.user.erased.v1")
        .values_list("payload", flat=True)
    )


def test_erasure_deletes_the_account_ends_its_tokens_and_tells_every_app(
    login, api_client, customer, fake_orders, emit
):
    fake_orders.order_add(an_order(customer, status="delivered"))
    emit(factories.paid(customer))
    pair = login(customer.email).json()
    user_id = customer.pk

    response = bearer(api_client, pair["access"]).post(
        ERASE, {"password": PASSWORD}, format="json"
    )

    assert response.status_code == 204
    assert not User.objects.filter(pk=user_id).exists()
    assert not CustomerEmail.objects.filter(to_address=customer.email).exists()
    assert erased_events() == [{"user_id": str(user_id)}]
    assert api_client.get("/api/v1/users/me/").status_code == 401
    api_client.credentials()
    refreshed = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json"
    )
    assert refreshed.status_code == 401
    assert login(customer.email).status_code == 401


@pytest.mark.parametrize("status", ["pending", "confirmed", "paid", "shipped"])
def test_orders_in_progress_block_erasure(
    customer_client, customer, fake_orders, status
):
    order = fake_orders.order_add(an_order(customer, status=status))

    response = customer_client.post(ERASE, {"password": PASSWORD}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "erasure_blocked"
    assert response.json()["order_ids"] == [str(order.id)]
    assert User.objects.filter(pk=customer.pk).exists()
    assert erased_events() == []


def test_erasure_needs_the_current_password(customer_client, customer, fake_orders):
    response = customer_client.post(ERASE, {"password": "not-mine"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["password"]
    assert User.objects.filter(pk=customer.pk).exists()
    assert erased_events() == []


def test_no_e_mail_reaches_an_erased_customer(
    customer_client, customer, fake_orders, emit
):
    from django.core import mail

    order_id = uuid.uuid4()
    erased = customer_client.post(ERASE, {"password": PASSWORD}, format="json")

    emit(factories.lifecycle(customer, order_id)["refunded"])

    assert erased.status_code == 204
    assert mail.outbox == []
