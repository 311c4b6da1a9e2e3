"""The address book: the customer's own endpoints, defaults, country check,
and users' interface answering plain data."""

import uuid

import pytest

from apps.users.contracts import AddressData, AddressNotFound
from apps.users.interface import address_get, address_list
from apps.users.models import Address

pytestmark = pytest.mark.django_db
URL = "/api/v1/users/me/addresses/"
HOME = {
    "name": "Ada Lovelace",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "de",
}


def flags(client):
    return [
        (a["city"], a["is_default_shipping"], a["is_default_billing"])
        for a in client.get(URL).json()
    ]


def test_the_first_address_is_both_defaults_and_a_new_default_takes_the_flag(
    customer_client,
):
    first = customer_client.post(URL, HOME, format="json")
    customer_client.post(URL, {**HOME, "city": "Paris", "country": "FR"}, format="json")
    customer_client.post(
        URL,
        {**HOME, "city": "Rome", "country": "IT", "is_default_billing": True},
        format="json",
    )

    assert first.status_code == 201, first.json()
    assert first.json()["country"] == "DE"
    assert flags(customer_client) == [
        ("Berlin", True, False),
        ("Paris", False, False),
        ("Rome", False, True),
    ]


def test_change_and_delete_an_address(customer_client):
    address_id = customer_client.post(URL, HOME, format="json").json()["id"]

    changed = customer_client.patch(
        f"{URL}{address_id}/", {"line2": "Floor 3"}, format="json"
    )
    deleted = customer_client.delete(f"{URL}{address_id}/")

    assert changed.status_code == 200 and changed.json()["line2"] == "Floor 3"
    assert deleted.status_code == 204
    assert Address.objects.count() == 0


def test_another_customers_address_is_a_404(customer_client, other_client):
    address_id = customer_client.post(URL, HOME, format="json").json()["id"]

    seen = other_client.get(f"{URL}{address_id}/")
    changed = other_client.patch(f"{URL}{address_id}/", {"city": "X"}, format="json")
    deleted = other_client.delete(f"{URL}{address_id}/")

    assert (seen.status_code, changed.status_code, deleted.status_code) == (
        404,
        404,
        404,
    )
    assert Address.objects.get().city == "Berlin"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "DEU"}, "country"),
        ({"postal_code": "!"}, "postal_code"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_addresses_are_400_naming_the_field(customer_client, change, field):
    response = customer_client.post(URL, {**HOME, **change}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert Address.objects.count() == 0


def test_anonymous_has_no_address_book(api_client):
    assert api_client.get(URL).status_code == 401


def test_the_interface_answers_plain_data(customer_client, customer, other_customer):
    address_id = customer_client.post(URL, HOME, format="json").json()["id"]

    [listed] = address_list(user_id=str(customer.pk))
    got = address_get(user_id=customer.pk, address_id=address_id)

    assert isinstance(got, AddressData) and got == listed
    assert (got.city, got.country, got.is_default_shipping) == ("Berlin", "DE", True)
    assert address_list(user_id=other_customer.pk) == []
    with pytest.raises(AddressNotFound):
        address_get(user_id=other_customer.pk, address_id=address_id)
    with pytest.raises(AddressNotFound):
        address_get(user_id=customer.pk, address_id=uuid.uuid4())


def test_the_export_carries_the_address_book(customer_client):
    customer_client.post(URL, HOME, format="json")

    document = customer_client.get("/api/v1/users/me/export/").json()

    assert [(a["city"], a["country"]) for a in document["address_book"]] == [
        ("Berlin", "DE")
    ]
