import pytest
from django.contrib.auth import get_user_model

from tests.users.conftest import PASSWORD, bearer

User = get_user_model()
URL = "/api/v1/users/me/password/"
REFRESH = "/api/v1/auth/token/refresh/"
NEW = "a-brand-new-passphrase-7"


@pytest.mark.django_db
def test_password_change_revokes_every_earlier_token(login, api_client, customer):
    first = login(customer.email).json()
    second = login(customer.email).json()

    response = bearer(api_client, first["access"]).post(
        URL, {"old_password": PASSWORD, "new_password": NEW}, format="json"
    )

    assert response.status_code == 200
    fresh = response.json()
    for old in (first, second):
        assert (
            bearer(api_client, old["access"]).get("/api/v1/users/me/").status_code
            == 401
        )
        api_client.credentials()
        assert (
            api_client.post(
                REFRESH, {"refresh": old["refresh"]}, format="json"
            ).status_code
            == 401
        )
    assert (
        bearer(api_client, fresh["access"]).get("/api/v1/users/me/").status_code == 200
    )
    api_client.credentials()
    assert (
        api_client.post(
            REFRESH, {"refresh": fresh["refresh"]}, format="json"
        ).status_code
        == 200
    )
    assert login(customer.email, NEW).status_code == 200
    assert login(customer.email, PASSWORD).status_code == 401


@pytest.mark.django_db
def test_password_change_also_revokes_fixture_tokens(customer_client):
    response = customer_client.post(
        URL, {"old_password": PASSWORD, "new_password": NEW}, format="json"
    )

    assert response.status_code == 200
    assert customer_client.get("/api/v1/users/me/").status_code == 401


@pytest.mark.django_db
def test_wrong_old_password_changes_nothing(customer_client, customer):
    before = customer.password

    response = customer_client.post(
        URL, {"old_password": "not-my-password", "new_password": NEW}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "old_password": ["The current password is wrong."]
    }
    customer.refresh_from_db()
    assert customer.password == before
    assert customer_client.get("/api/v1/users/me/").status_code == 200


@pytest.mark.django_db
def test_weak_new_password_changes_nothing(customer_client, customer):
    before = customer.password

    response = customer_client.post(
        URL, {"old_password": PASSWORD, "new_password": "customer"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "new_password": ["The password is too similar to the email."]
    }
    customer.refresh_from_db()
    assert customer.password == before
    assert customer_client.get("/api/v1/users/me/").status_code == 200


@pytest.mark.django_db
def test_password_change_needs_both_fields_and_a_login(api_client, customer_client):
    assert api_client.post(URL, {}, format="json").status_code == 401
    response = customer_client.post(URL, {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "old_password": ["This field is required."],
        "new_password": ["This field is required."],
    }
