"""Password reset by e-mail: one answer for any address, a single-use,
time-limited link, throttled, and every session ends."""

import time

import pytest
from django.core import mail, signing

from tests.users.accounts_helpers import link_tokens
from tests.users.conftest import PASSWORD, bearer

REQUEST = "/api/v1/auth/password-reset/"
CONFIRM = "/api/v1/auth/password-reset/confirm/"
NEW = "a-brand-new-passphrase-7"
pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(api_client, committed):
    def do(email, **extra):
        return committed(
            lambda: api_client.post(REQUEST, {"email": email}, format="json", **extra)
        )

    return do


@pytest.fixture
def confirm(api_client):
    def do(token, password=NEW):
        api_client.credentials()
        return api_client.post(
            CONFIRM, {"token": token, "new_password": password}, format="json"
        )

    return do


def test_known_and_unknown_addresses_get_the_same_answer_and_only_one_mail(
    ask, customer
):
    known = ask("Customer@Example.com")
    unknown = ask("nobody@example.com")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert known["Content-Type"] == unknown["Content-Type"]
    [message] = mail.outbox
    assert message.to == ["customer@example.com"]
    assert message.subject == "Reset your password"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    [token] = link_tokens(to="customer@example.com")
    assert token in html


def test_the_link_sets_the_password_ends_every_token_and_works_once(
    ask, confirm, login, api_client, customer
):
    session = login(customer.email).json()
    ask(customer.email)
    [token] = link_tokens(to=customer.email)

    reset = confirm(token)
    again = confirm(token, password="yet-another-passphrase-8")

    assert reset.status_code == 204
    assert (
        bearer(api_client, session["access"]).get("/api/v1/users/me/").status_code
        == 401
    )
    api_client.credentials()
    refreshed = api_client.post(
        "/api/v1/auth/token/refresh/", {"refresh": session["refresh"]}, format="json"
    )
    assert refreshed.status_code == 401
    assert again.status_code == 400
    assert again["Content-Type"] == "application/problem+json"
    assert again.json()["code"] == "link_invalid"
    assert login(customer.email, PASSWORD).status_code == 401
    assert login(customer.email, NEW).status_code == 200
    customer.refresh_from_db()
    assert customer.email_verified  # the link proved the address


def test_an_expired_link_is_refused_and_changes_nothing(
    ask, confirm, login, customer, monkeypatch, settings
):
    settings.PASSWORD_RESET_MINUTES = 30
    ask(customer.email)
    [token] = link_tokens(to=customer.email)
    later = time.time() + 31 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = confirm(token)

    assert response.status_code == 400
    assert response.json()["code"] == "link_expired"
    assert login(customer.email, PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
        lambda token: signing.dumps({"u": "x"}, salt="users.links.verify_email"),
    ],
    ids=["altered", "garbage", "other-purpose"],
)
def test_a_forged_or_foreign_token_is_refused(ask, confirm, login, customer, mangle):
    ask(customer.email)
    [token] = link_tokens(to=customer.email)

    response = confirm(mangle(token))

    assert response.status_code == 400
    assert response.json()["code"] == "link_invalid"
    assert login(customer.email, PASSWORD).status_code == 200


def test_a_password_changed_since_ends_the_link(
    ask, confirm, customer_client, customer
):
    ask(customer.email)
    [token] = link_tokens(to=customer.email)
    changed = customer_client.post(
        "/api/v1/users/me/password/",
        {"old_password": PASSWORD, "new_password": "changed-passphrase-9"},
        format="json",
    )

    response = confirm(token)

    assert changed.status_code == 200
    assert response.json()["code"] == "link_invalid"


def test_a_weak_new_password_is_refused_and_the_link_still_works(
    ask, confirm, customer
):
    ask(customer.email)
    [token] = link_tokens(to=customer.email)

    weak = confirm(token, password="123")
    good = confirm(token)

    assert weak.status_code == 400
    assert list(weak.json()["errors"]) == ["new_password"]
    assert good.status_code == 204


@pytest.fixture
def small_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "account_mail_ip": "4/hour",
            "account_mail_address": "2/hour",
        },
    }


@pytest.mark.usefixtures("small_rates")
@pytest.mark.parametrize("email", ["customer@example.com", "nobody@example.com"])
def test_requests_for_one_address_are_throttled_known_or_not(ask, customer, email):
    answers = [ask(email, REMOTE_ADDR=f"10.0.0.{n}") for n in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 429]
    throttled = answers[-1]
    assert throttled.json()["code"] == "account_mail_throttled"
    assert int(throttled["Retry-After"]) >= 1
    assert len(mail.outbox) == (2 if email == customer.email else 0)


@pytest.mark.usefixtures("small_rates")
def test_requests_from_one_client_are_throttled_across_addresses(ask, customer):
    answers = [ask(f"someone{n}@example.com") for n in range(4)]

    throttled = ask(customer.email)

    assert [a.status_code for a in answers] == [202] * 4
    assert throttled.status_code == 429
    assert mail.outbox == []
