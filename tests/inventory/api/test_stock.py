import uuid

import pytest

from apps.inventory import services
from apps.inventory.models import StockMovement
from tests.inventory.conftest import ledger, levels

pytestmark = pytest.mark.django_db


def url(product_id, adjustments=False):
    base = f"/api/v1/inventory/stock/{product_id}/"
    return base + "adjustments/" if adjustments else base


def test_staff_sees_on_hand_reserved_and_available(stock, staff_client):
    a = stock(6)
    services.stock_reserve(order_id=uuid.uuid4(), lines=[(a, 4)], actor="test")

    response = staff_client.get(url(a))

    assert response.status_code == 200
    assert response.json() == {
        "product_id": str(a),
        "on_hand": 6,
        "reserved": 4,
        "available": 2,
        "version": 2,
    }


def test_unknown_product_is_404_problem(db, staff_client):
    response = staff_client.get(url(uuid.uuid4()))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "stock_item_not_found"


def test_customers_and_anonymous_are_refused(stock, customer_client, api_client):
    a = stock(1)

    assert customer_client.get(url(a)).status_code == 403
    assert api_client.get(url(a)).status_code == 401
    assert (
        customer_client.post(
            url(a, True), {"delta": 5, "reason": "x"}, format="json"
        ).status_code
        == 403
    )
    assert levels(a) == (1, 0)


def test_staff_adjustment_is_recorded_with_who_and_why(stock, staff_client, staff_user):
    a = stock(2)

    response = staff_client.post(
        url(a, True), {"delta": 3, "reason": "found"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["on_hand"] == 5
    assert ledger(a)[-1] == ("adjustment", 3, 0)
    movement = StockMovement.objects.filter(stock_item_id=a).last()
    assert (movement.reference, movement.actor) == ("found", f"user:{staff_user.id}")


def test_adjustment_below_reserved_is_409_and_changes_nothing(stock, staff_client):
    a = stock(3)
    services.stock_reserve(order_id=uuid.uuid4(), lines=[(a, 2)], actor="test")

    response = staff_client.post(
        url(a, True), {"delta": -2, "reason": "count"}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stock_below_reserved"
    assert body["errors"] == {"delta": ["At least -1 allowed."]}
    assert levels(a) == (3, 2)
    assert len(ledger(a)) == 2


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"delta", "reason"}),
        ({"delta": 0, "reason": "x"}, {"delta"}),
        ({"delta": "lots", "reason": "x"}, {"delta"}),
        ({"delta": 2_000_000, "reason": "x"}, {"delta"}),
        ({"delta": 1, "reason": ""}, {"reason"}),
        ({"delta": 1, "reason": "r" * 201}, {"reason"}),
    ],
)
def test_bad_adjustment_is_400_with_field_errors(stock, staff_client, payload, fields):
    a = stock(1)

    response = staff_client.post(url(a, True), payload, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == fields
    assert levels(a) == (1, 0)
    assert len(ledger(a)) == 1


def test_adjusting_an_unknown_product_is_404(db, staff_client):
    response = staff_client.post(
        url(uuid.uuid4(), True), {"delta": 1, "reason": "x"}, format="json"
    )

    assert response.status_code == 404
