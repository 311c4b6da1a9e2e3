import threading
import time

import pytest
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient

from apps.users.services import login_throttle, tokens
from tests.users.conftest import PASSWORD

RATES = {"login_ip": "5/min", "login_account_client": "3/min", "login_account": "5/min"}
ATTACKER = {"REMOTE_ADDR": "10.0.0.66"}
OWNER = {"REMOTE_ADDR": "10.0.0.2"}


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
def test_a_client_is_throttled_on_an_account_even_with_the_right_password(
    login, customer, clock
):
    failures = [login(customer.email, "wrong-password-1") for _ in range(3)]
    throttled = login(customer.email, PASSWORD)

    assert statuses(failures) == [401, 401, 401]
    assert throttled.status_code == 429
    assert throttled["Retry-After"] == "50"
    assert throttled["Content-Type"] == "application/problem+json"
    assert throttled.json()["code"] == "login_throttled"
    assert throttled.json()["retry_after"] == 50


@pytest.mark.django_db
def test_a_strangers_guesses_do_not_lock_the_owner_out(
    login, customer, customer_client, clock
):
    guesses = [login(customer.email, "wrong-password-1", **ATTACKER) for _ in range(8)]

    owner = login(customer.email, PASSWORD, **OWNER)
    change = customer_client.post(
        "/api/v1/users/me/password/",
        {"old_password": PASSWORD, "new_password": "fresh-passphrase-8"},
        format="json",
        **OWNER,
    )

    assert statuses(guesses) == [401] * 3 + [429] * 5
    assert owner.status_code == 200
    assert change.status_code == 200


@pytest.mark.django_db
def test_the_account_budget_stops_clients_that_already_failed(login, customer, clock):
    first = [login(customer.email, "wrong-password-1", **ATTACKER) for _ in range(3)]
    second = [
        login(customer.email, "wrong-password-1", REMOTE_ADDR="10.0.0.67")
        for _ in range(3)
    ]
    fresh = login(customer.email, "wrong-password-1", REMOTE_ADDR="10.0.0.68")
    owner = login(customer.email, PASSWORD, **OWNER)

    assert statuses(first) == [401, 401, 401]
    assert statuses(second) == [401, 401, 429]
    assert fresh.status_code == 401
    assert owner.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_simultaneous_guesses_get_no_more_password_checks_than_the_limit(
    customer, monkeypatch, clock
):
    checks = []
    authenticate = tokens.authenticate

    def slow_counted_authenticate(**credentials):
        checks.append(1)
        time.sleep(0.05)  # a real password hash takes this long
        return authenticate(**credentials)

    monkeypatch.setattr(tokens, "authenticate", slow_counted_authenticate)
    barrier = threading.Barrier(40, timeout=30)
    results: list[int] = []

    def guess():
        try:
            barrier.wait()
            response = APIClient().post(
                "/api/v1/auth/token/",
                {"email": customer.email, "password": "wrong-password-1"},
                format="json",
            )
            results.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Each attempt raises three counters one after another, so under contention
    # an attempt within the pair's limit can meet a client counter another
    # attempt already raised: fewer checks than the limit, never more.
    assert 1 <= len(checks) <= 3
    assert sorted(results) == [401] * len(checks) + [429] * (40 - len(checks))


@pytest.mark.django_db
def test_look_alike_addresses_share_the_accounts_budget_and_account(
    login, customer, clock
):
    look_alike = "cu\u017ftomer@EXAMPLE.com"  # long s: upper-cases to S
    failures = [login(customer.email, "wrong-password-1") for _ in range(3)]
    variant = login(look_alike, PASSWORD)
    cache.clear()
    fresh = login(look_alike, PASSWORD)

    assert statuses(failures) == [401, 401, 401]
    assert variant.status_code == 429
    assert fresh.status_code == 200


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
def test_successful_login_clears_the_clients_failures(login, customer, clock):
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
