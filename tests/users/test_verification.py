"""E-mail verification at registration and on a change of address, and what
an unverified account may do (UNVERIFIED_ACCOUNTS_MAY)."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing

from tests.users.accounts_helpers import link_tokens
from tests.users.conftest import PASSWORD, bearer

User = get_user_model()
VERIFY = "/api/v1/auth/email/verify/"
RESEND = "/api/v1/auth/email/verification/"
CHANGE = "/api/v1/users/me/email/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def register(api_client, committed):
    def do(email="ada@example.com"):
        return committed(
            lambda: api_client.post(
                "/api/v1/auth/register/",
                {"email": email, "password": PASSWORD},
                format="json",
            )
        )

    return do


def verify(client, token):
    client.credentials()
    return client.post(VERIFY, {"token": token}, format="json")


def test_registration_mails_a_link_that_verifies_the_address_once(register, api_client):
    registered = register()
    [message] = mail.outbox
    [token] = link_tokens(to="ada@example.com")

    first = verify(api_client, token)
    again = verify(api_client, token)

    assert registered.json()["email_verified"] is False
    assert message.subject == "Confirm your e-mail address"
    assert first.status_code == 204
    assert User.objects.get(email="ada@example.com").email_verified
    assert again.status_code == 400
    assert again.json()["code"] == "link_invalid"


def test_an_expired_verification_link_is_refused(register, api_client, monkeypatch):
    register()
    [token] = link_tokens(to="ada@example.com")
    later = time.time() + 73 * 3600  # VERIFY_EMAIL_HOURS is 72
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = verify(api_client, token)

    assert response.status_code == 400
    assert response.json()["code"] == "link_expired"
    assert not User.objects.get(email="ada@example.com").email_verified


def test_a_resend_answers_alike_for_any_address_and_mails_only_the_unverified(
    register, api_client, committed, customer
):
    register()
    mail.outbox.clear()
    customer.email_verified_at = customer.date_joined
    customer.save()

    answers = [
        committed(lambda e=e: api_client.post(RESEND, {"email": e}, format="json"))
        for e in ("ada@example.com", "customer@example.com", "nobody@example.com")
    ]

    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


@pytest.fixture
def change(customer_client, committed):
    def do(new_email, password=PASSWORD):
        return committed(
            lambda: customer_client.post(
                CHANGE, {"new_email": new_email, "password": password}, format="json"
            )
        )

    return do


def test_a_new_address_takes_effect_when_its_link_is_followed(
    change, api_client, customer, login
):
    asked = change("Ada.New@Example.com")
    [token] = link_tokens(to="ada.new@example.com")
    customer.refresh_from_db()
    unchanged = customer.email

    followed = verify(api_client, token)

    assert asked.status_code == 202
    assert unchanged == "customer@example.com"
    assert followed.status_code == 204
    customer.refresh_from_db()
    assert (customer.email, customer.email_verified) == ("ada.new@example.com", True)
    assert login("ada.new@example.com").status_code == 200
    assert login("customer@example.com").status_code == 401
    assert verify(api_client, token).json()["code"] == "link_invalid"


def test_a_taken_new_address_answers_alike_and_mails_its_owner(
    change, other_customer, customer
):
    free = change("free@example.com")
    mail.outbox.clear()

    taken = change("other@example.com")

    assert taken.status_code == free.status_code == 202
    assert taken.json() == free.json()
    [notice] = mail.outbox
    assert notice.to == ["other@example.com"]
    assert notice.subject == "Someone tried to use your e-mail address"
    assert link_tokens(to="other@example.com") == []


def test_a_change_needs_the_current_password(change, customer):
    response = change("ada.new@example.com", password="not-my-password")

    assert response.status_code == 400
    assert response.json()["errors"] == {"password": ["The current password is wrong."]}
    assert mail.outbox == []


def test_a_link_for_an_address_taken_meanwhile_is_refused(
    change, api_client, customer, register
):
    change("ada@example.com")
    [token] = link_tokens(to="ada@example.com")
    register("ada@example.com")

    response = verify(api_client, token)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["token"]
    customer.refresh_from_db()
    assert customer.email == "customer@example.com"


@pytest.mark.needs_apps("users", "orders", reason="orders read the token's claim")
def test_browse_lets_an_unverified_account_in_but_not_order_until_verified(
    register, login, api_client, settings
):
    settings.UNVERIFIED_ACCOUNTS_MAY = "browse"
    register()
    [token] = link_tokens(to="ada@example.com")
    pair = login("ada@example.com").json()

    refused = bearer(api_client, pair["access"]).post(
        "/api/v1/orders/", {}, format="json"
    )
    profile = api_client.get("/api/v1/users/me/")
    verify(api_client, token)
    fresh = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json"
    ).json()
    allowed = bearer(api_client, fresh["access"]).post(
        "/api/v1/orders/", {}, format="json"
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "email_not_verified"
    assert profile.status_code == 200
    assert allowed.status_code == 400  # past the check: the empty body is refused


def test_nothing_refuses_an_unverified_login_like_a_wrong_password(
    register, login, api_client, settings
):
    settings.UNVERIFIED_ACCOUNTS_MAY = "nothing"
    register()
    [token] = link_tokens(to="ada@example.com")

    unverified = login("ada@example.com")
    wrong = login("ada@example.com", "wrong-password-1")
    verify(api_client, token)
    verified = login("ada@example.com")

    assert unverified.status_code == wrong.status_code == 401
    assert unverified.json() == wrong.json()
    assert verified.status_code == 200


def test_order_is_the_default(settings):
    assert settings.UNVERIFIED_ACCOUNTS_MAY == "order"
