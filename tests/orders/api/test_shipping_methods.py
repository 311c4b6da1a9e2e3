"""Shipping methods: staff manage them through the API (and the admin)."""

import pytest

from apps.orders.models import ShippingMethod

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/shipping-methods/"
BODY = {
    "name": "Standard",
    "countries": ["de", "AT", "DE"],
    "currency": "EUR",
    "price": "6.90",
    "bands": [{"up_to": "50.00", "price": "4.90"}],
    "free_above": "100.00",
}


def test_staff_create_list_change_and_delete_a_method(staff_client):
    created = staff_client.post(URL, BODY, format="json")

    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["countries"] == ["AT", "DE"]
    assert data["bands"] == [{"up_to": "50.00", "price": "4.90"}]
    assert [m["name"] for m in staff_client.get(URL).json()] == ["Standard"]

    url = f"{URL}{data['id']}/"
    changed = staff_client.patch(url, {"price": "7.50", "active": False}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["price"], changed.json()["active"]) == ("7.50", False)
    assert staff_client.get(url).json()["name"] == "Standard"

    assert staff_client.delete(url).status_code == 204
    assert staff_client.get(url).status_code == 404
    assert ShippingMethod.objects.count() == 0


def test_customers_and_anonymous_may_not(customer_client, api_client):
    assert customer_client.get(URL).status_code == 403
    assert customer_client.post(URL, BODY, format="json").status_code == 403
    assert api_client.get(URL).status_code == 401
    assert ShippingMethod.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "-1.00"}, "price"),
        ({"countries": ["XX"]}, "countries"),
        ({"countries": []}, "countries"),
        ({"currency": "euro"}, "currency"),
        ({"free_above": "-5"}, "free_above"),
        ({"bands": [{"up_to": "10", "price": "-1"}]}, "bands"),
        (
            {"bands": [{"up_to": "10", "price": "1"}, {"up_to": "10", "price": "2"}]},
            "bands",
        ),
    ],
)
def test_bad_methods_are_400_naming_the_field(staff_client, change, field):
    response = staff_client.post(URL, {**BODY, **change}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert ShippingMethod.objects.count() == 0


def test_a_taken_name_is_400_on_name(staff_client):
    staff_client.post(URL, BODY, format="json")

    response = staff_client.post(URL, BODY, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["name"]
    assert ShippingMethod.objects.count() == 1
