import pytest
from django.core.cache import cache

from apps.users.services import login_throttle
from tests.users.conftest import PASSWORD

RATES = {"login_account": "3/min", "login_ip": "5/min"}


@pytest.fixture(autouse=True)
def small_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            **RATES,
        },
    }


@pytest.fixture
def clock(monkeypatch):
    now = [1_800_000_010.0]  # 10 s into a minute window
    monkeypatch.setattr(login_throttle, "_now", lambda: now[0])
    return now


def statuses(responses):
    return [r.status_code for r in responses]


@pytest.mark.django_db
def test_account_is_throttled_after_failures_even_with_right_password(
    login, customer, clock
):
    failures = [login(customer.email, "wrong-password-1") for _ in range(3)]
    throttled = login(customer.email, PASSWORD, REMOTE_ADDR="10.0.0.2")

    assert statuses(failures) == [401, 401, 401]
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "50"
    assert throttled["Content-Type"] == "application/problem+json"
    assert throttled.json()["code"] == "login_throttled"
    assert throttled.json()["retry_after"] == 50


@pytest.mark.django_db
def test_unknown_email_gets_exactly_the_same_answers(login, customer, clock):
    known = [login(customer.email, "wrong-password-1") for _ in range(4)]
    cache.clear()  # fresh windows for the second run
    unknown = [login("nobody@example.com", "wrong-password-1") for _ in range(4)]

    assert statuses(known) == statuses(unknown) == [401, 401, 401, 429]
    assert [r.json() for r in known] == [r.json() for r in unknown]
    assert known[-1]["Retry-After"] == unknown[-1]["Retry-After"] == "50"


@pytest.mark.django_db
def test_client_address_is_throttled_across_accounts(login, clock):
    failures = [
        login(f"user{i}@example.com", "wrong-password-1", REMOTE_ADDR="10.0.0.9")
        for i in range(5)
    ]

    blocked = login("fresh@example.com", "wrong-password-1", REMOTE_ADDR="10.0.0.9")
    elsewhere = login("fresh@example.com", "wrong-password-1", REMOTE_ADDR="10.0.0.10")

    assert statuses(failures) == [401] * 5
    assert blocked.status_code == 429
    assert elsewhere.status_code == 401


@pytest.mark.django_db
def test_forwarded_for_header_does_not_dodge_the_address_limit(login, clock):
    responses = [
        login(
            f"user{i}@example.com",
            "wrong-password-1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
        for i in range(6)
    ]

    assert statuses(responses) == [401] * 5 + [429]


@pytest.mark.django_db
def test_throttle_lifts_when_the_window_is_over(login, customer, clock):
    for _ in range(3):
        login(customer.email, "wrong-password-1")
    assert login(customer.email).status_code == 429

    clock[0] += 50

    assert login(customer.email).status_code == 200


@pytest.mark.django_db
def test_successful_login_clears_the_accounts_failures(login, customer, clock):
    for _ in range(2):
        login(customer.email, "wrong-password-1")
    assert login(customer.email).status_code == 200

    again = [login(customer.email, "wrong-password-1") for _ in range(3)]

    assert statuses(again) == [401, 401, 401]
    assert login(customer.email).status_code == 429


@pytest.mark.django_db
def test_successful_logins_are_not_throttled(login, customer, clock):
    assert statuses(login(customer.email) for _ in range(8)) == [200] * 8


@pytest.mark.django_db
def test_wrong_old_passwords_count_as_failed_logins(customer_client, customer, clock):
    url = "/api/v1/users/me/password/"
    body = {"old_password": "wrong-password-1", "new_password": "fresh-passphrase-8"}
    failures = [customer_client.post(url, body, format="json") for _ in range(3)]

    throttled = customer_client.post(
        url, {**body, "old_password": PASSWORD}, format="json"
    )

    assert statuses(failures) == [400, 400, 400]
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "50"
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)
