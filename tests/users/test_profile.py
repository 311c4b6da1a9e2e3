import pytest

URL = "/api/v1/users/me/"


@pytest.mark.django_db
def test_profile_shows_own_data_and_empty_stats(customer_client, customer):
    response = customer_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(customer.pk),
        "email": "customer@example.com",
        "first_name": "",
        "last_name": "",
        "phone": "",
        "role": "customer",
        "email_verified": False,
        "date_joined": customer.date_joined.isoformat().replace("+00:00", "Z"),
        "stats": {"order_count": 0, "lifetime_spend": []},
    }


@pytest.mark.django_db
def test_staff_profile_says_staff(staff_client):
    body = staff_client.get(URL).json()

    assert body["role"] == "staff"
    assert "is_staff" not in body  # one way to say it: the role


@pytest.mark.django_db
def test_profile_needs_login(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.patch(URL, {"first_name": "X"}, format="json").status_code == 401


@pytest.mark.django_db
def test_patch_updates_names_and_phone(customer_client, customer):
    response = customer_client.patch(
        URL,
        {"first_name": "Grace", "last_name": "Hopper", "phone": "+1 (555) 010-9999"},
        format="json",
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name, customer.phone) == (
        "Grace",
        "Hopper",
        "+1 (555) 010-9999",
    )
    assert response.json()["first_name"] == "Grace"


@pytest.mark.django_db
def test_patch_ignores_email_role_and_flags(customer_client, customer):
    response = customer_client.patch(
        URL,
        {
            "first_name": "Grace",
            "email": "boss@example.com",
            "role": "staff",
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "password": "hijacked-password-1",
            "id": "00000000-0000-0000-0000-000000000001",
        },
        format="json",
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.first_name == "Grace"
    assert customer.email == "customer@example.com"
    assert (customer.is_staff, customer.is_superuser, customer.is_active) == (
        False,
        False,
        True,
    )
    assert not customer.check_password("hijacked-password-1")
    assert response.json()["role"] == "customer"


@pytest.mark.django_db
def test_patch_with_bad_fields_changes_nothing(customer_client, customer):
    response = customer_client.patch(
        URL, {"first_name": "x" * 151, "phone": "call me maybe"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "first_name": ["Ensure this field has no more than 150 characters."],
        "phone": ["Enter digits, spaces and + ( ) . / - only."],
    }
    customer.refresh_from_db()
    assert (customer.first_name, customer.phone) == ("", "")
