from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.orders.gateway import TestGateway
from apps.orders.models import Order, TaxRate, Voucher
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


# --- tax rates and vouchers ---------------------------------------------------------

VOUCHER_FORM = {
    "code": "ADMIN5",
    "kind": "fixed",
    "target": "shipping",
    "value": "5.00",
    "minimum_spend": "0",
    "valid_from_0": "",
    "valid_from_1": "",
    "valid_until_0": "",
    "valid_until_1": "",
    "usage_limit": "10",
    "usage_limit_per_customer": "",
    "is_active": "on",
}


def test_staff_add_a_tax_rate_and_a_voucher_in_the_admin(admin_client):
    rate = admin_client.post(
        "/admin/orders/taxrate/add/",
        {"country": "fr", "standard_rate": "20", "reduced_rate": "5.5"},
    )
    voucher = admin_client.post("/admin/orders/voucher/add/", VOUCHER_FORM)

    assert rate.status_code == 302
    assert voucher.status_code == 302
    assert list(TaxRate.objects.values_list("country", "reduced_rate")) == [
        ("FR", Decimal("5.50"))
    ]
    assert list(Voucher.objects.values_list("code", "target", "usage_limit")) == [
        ("ADMIN5", "shipping", 10)
    ]
    assert admin_client.get("/admin/orders/voucher/").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"kind": "percentage", "value": "150"},
            "value",
            "A percentage is at most 100.",
        ),
        ({"code": "admin5"}, "code", "A voucher with this code exists."),
        (
            {
                "valid_from_0": "2026-05-01",
                "valid_from_1": "00:00:00",
                "valid_until_0": "2026-04-01",
                "valid_until_1": "00:00:00",
            },
            "valid_until",
            "Ensure the end is after valid_from.",
        ),
    ],
)
def test_a_voucher_the_service_refuses_is_a_form_error(
    admin_client, changes, field, message
):
    Voucher.objects.create(code="ADMIN5", kind="fixed", value=5)

    response = admin_client.post(
        "/admin/orders/voucher/add/", {**VOUCHER_FORM, **changes}
    )

    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert Voucher.objects.count() == 1


def test_an_unknown_country_is_a_form_error(admin_client):
    response = admin_client.post(
        "/admin/orders/taxrate/add/",
        {"country": "XX", "standard_rate": "20", "reduced_rate": "5"},
    )

    assert response.status_code == 200
    assert "country" in response.context["adminform"].form.errors
    assert TaxRate.objects.count() == 0


@WITH_STAFF_ROLES
def test_order_managers_manage_vouchers_other_staff_do_not(client):
    Voucher.objects.create(code="ROLE", kind="fixed", value=5)

    assert (
        _staff_client(client, "stock").get("/admin/orders/voucher/").status_code == 403
    )
    client.logout()
    get_user_model().objects.filter(email="ops@example.com").delete()
    manager = _staff_client(client, "orders")
    assert manager.get("/admin/orders/voucher/").status_code == 200
    assert manager.get("/admin/orders/taxrate/add/").status_code == 200


def test_staff_add_change_and_delete_a_shipping_method_in_the_admin(admin_client):
    from apps.orders.models import ShippingMethod

    form = {
        "name": "Admin post",
        "countries": '["de", "AT"]',
        "currency": "EUR",
        "price": "5.00",
        "bands": "[]",
        "free_above": "",
        "active": "on",
    }
    added = admin_client.post("/admin/orders/shippingmethod/add/", form)
    method = ShippingMethod.objects.get()
    changed = admin_client.post(
        f"/admin/orders/shippingmethod/{method.pk}/change/", {**form, "price": "6.00"}
    )
    method.refresh_from_db()

    assert (added.status_code, changed.status_code) == (302, 302)
    assert (method.countries, method.price) == (["AT", "DE"], Decimal("6.00"))
    deleted = admin_client.post(
        f"/admin/orders/shippingmethod/{method.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert ShippingMethod.objects.count() == 0
