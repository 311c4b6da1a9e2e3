import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from apps.inventory.models import StockMovement
from tests.conftest import admin_account
from tests.inventory.conftest import ledger, levels

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return admin_account(email="staff@example.com")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_stock_list_and_page_are_read_only_with_movements(stock, admin_client):
    a = stock(4)

    listing = admin_client.get("/admin/inventory/stockitem/")
    page = admin_client.get(f"/admin/inventory/stockitem/{a}/change/")

    assert listing.status_code == 200
    assert str(a) in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "Adjust stock" in html
    assert 'name="on_hand"' not in html  # no editable field
    assert "receipt" in html  # the ledger inline
    assert admin_client.get("/admin/inventory/stockitem/add/").status_code == 403


def test_raw_edit_through_the_admin_changes_nothing(stock, admin_client):
    a = stock(4)

    response = admin_client.post(
        f"/admin/inventory/stockitem/{a}/change/", {"on_hand": 100, "reserved": 0}
    )

    assert response.status_code == 403
    assert levels(a) == (4, 0)


def test_adjustment_form_calls_the_service(stock, admin_client, admin):
    a = stock(4)
    adjust = f"/admin/inventory/stockitem/{a}/adjust/"

    assert admin_client.get(adjust).status_code == 200
    response = admin_client.post(adjust, {"delta": -1, "reason": "dented"})

    assert response.status_code == 302
    assert levels(a) == (3, 0)
    movement = StockMovement.objects.filter(stock_item_id=a).last()
    assert (movement.kind, movement.reference, movement.actor) == (
        "adjustment",
        "dented",
        f"user:{admin.pk}",
    )


def test_refused_adjustment_shows_the_error_and_changes_nothing(stock, admin_client):
    a = stock(1)

    response = admin_client.post(
        f"/admin/inventory/stockitem/{a}/adjust/", {"delta": -2, "reason": "x"}
    )

    assert response.status_code == 200
    assert "On hand cannot go below reserved" in response.content.decode()
    assert levels(a) == (1, 0)
    assert len(ledger(a)) == 1


def test_staff_without_stock_permission_cannot_adjust(stock, client):
    a = stock(4)
    client.force_login(
        admin_account(email="staff@example.com", is_superuser=False)
    )  # staff, but neither superuser nor granted

    response = client.post(
        f"/admin/inventory/stockitem/{a}/adjust/", {"delta": 5, "reason": "x"}
    )

    assert response.status_code == 403
    assert levels(a) == (4, 0)


# Roles are the users app's groups; their permissions reach another app's
# admin through users' own models here (create_staff).
WITH_STAFF_ROLES = pytest.mark.needs_apps(
    "users", reason="staff roles are users' groups"
)


def _staff_client(client, role: str):
    call_command(
        "create_staff",
        "--email=stock@example.com",
        "--password=stock-pass-word-9",
        f"--role={role}",
    )
    client.force_login(get_user_model().objects.get(email="stock@example.com"))
    return client


@WITH_STAFF_ROLES
def test_a_stock_manager_adjusts_stock(stock, client):
    a = stock(4)
    staff = _staff_client(client, "stock")

    assert staff.get("/admin/inventory/stockitem/").status_code == 200
    response = staff.post(
        f"/admin/inventory/stockitem/{a}/adjust/", {"delta": 2, "reason": "found"}
    )

    assert response.status_code == 302
    assert levels(a) == (6, 0)


@WITH_STAFF_ROLES
def test_an_order_manager_may_look_at_stock_but_not_adjust_it(stock, client):
    a = stock(4)
    staff = _staff_client(client, "orders")

    assert staff.get("/admin/inventory/stockitem/").status_code == 200
    response = staff.get(f"/admin/inventory/stockitem/{a}/adjust/")

    assert response.status_code == 403
    assert "Site administration" in response.content.decode()
