import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.orders.gateway import TestGateway
from apps.orders.models import Order
from tests.conftest import admin_account
from tests.orders.helpers import outbox

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def admin_client(client, db):
    client.force_login(admin_account(email="admin@example.com"))
    return client


def test_the_order_pages_render_read_only(admin_client, paid_order):
    changelist = admin_client.get(CHANGELIST + "?status__exact=paid")
    change = admin_client.get(f"{CHANGELIST}{paid_order.pk}/change/")
    add = admin_client.get(CHANGELIST + "add/")

    assert changelist.status_code == 200
    assert str(paid_order.pk) in changelist.content.decode()
    assert change.status_code == 200
    assert "WID-1" in change.content.decode()
    assert add.status_code == 403


def test_refund_action_goes_through_the_service(admin_client, paid_order):
    response = admin_client.post(
        CHANGELIST,
        {"action": "refund_orders", "_selected_action": [str(paid_order.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    assert Order.objects.get().status == "refunded"
    assert TestGateway.refunds() == 1
    assert len(outbox("orders.order.refunded.v1")) == 1


def test_an_illegal_action_is_reported_and_changes_nothing(admin_client, paid_order):
    response = admin_client.post(
        CHANGELIST,
        {"action": "cancel_orders", "_selected_action": [str(paid_order.pk)]},
        follow=True,
    )

    assert "Cannot cancel an order that is paid." in response.content.decode()
    assert Order.objects.get().status == "paid"
    assert outbox("orders.order.cancelled.v1") == []


# Roles are the users app's groups; their permissions reach another app's
# admin through users' own models here (create_staff).
WITH_STAFF_ROLES = pytest.mark.needs_apps(
    "users", reason="staff roles are users' groups"
)


def _staff_client(client, *roles: str):
    args = [f"--role={role}" for role in roles]
    call_command(
        "create_staff", "--email=ops@example.com", "--password=ops-pass-word-9", *args
    )
    client.force_login(get_user_model().objects.get(email="ops@example.com"))
    return client


@WITH_STAFF_ROLES
def test_an_order_manager_sees_orders_and_their_actions(client, paid_order):
    staff = _staff_client(client, "orders")

    response = staff.get(CHANGELIST)

    assert response.status_code == 200
    assert 'value="refund_orders"' in response.content.decode()
    staff.post(
        CHANGELIST,
        {"action": "refund_orders", "_selected_action": [str(paid_order.pk)]},
    )
    assert Order.objects.get().status == "refunded"


@WITH_STAFF_ROLES
def test_staff_without_the_orders_role_get_the_admins_own_403(client, paid_order):
    staff = _staff_client(client, "stock")

    response = staff.get(CHANGELIST)

    assert response.status_code == 403
    assert "Site administration" in response.content.decode()
