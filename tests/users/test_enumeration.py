"""Answers that do not tell known from unknown addresses, in body or in time.

Time is compared by the work that dominates it, counted rather than clocked
(a clock on a shared test machine is noise): the password hashes a request
computes (tens of milliseconds each with Argon2), and whether it talks to the
mail server (with a broker a worker sends, never the request)."""

import pytest
from celery import current_app
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail, signals
from django.core.cache import cache

from apps.common.db import alias_for
from apps.users.models import CustomerEmail
from apps.users.services import account_mail
from apps.users.tasks import send_account_mail
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """Counts the hashes computed (MD5's verify computes one through encode)."""

    algorithm = "counting_md5"
    hashes = 0

    def encode(self, password, salt):
        CountingHasher.hashes += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.users.test_enumeration.CountingHasher"]


@pytest.fixture
def known(counting_hasher):
    return make_user(email="known@example.com")


@pytest.fixture
def work(api_client, django_capture_on_commit_callbacks):
    """`work(url, body)`: the answer and the hashes computed for it, after-commit
    work included (throttles reset first)."""

    def run(url, body):
        cache.clear()
        CountingHasher.hashes = 0
        with django_capture_on_commit_callbacks(using=alias_for("users"), execute=True):
            response = api_client.post(url, body, format="json")
        return response, CountingHasher.hashes

    return run


def assert_alike(first, second):
    (a, a_hashes), (b, b_hashes) = first, second
    assert a.status_code == b.status_code
    assert a["Content-Type"] == b["Content-Type"]
    assert a_hashes == b_hashes


def test_login_answers_and_hashes_alike_for_an_unknown_address(known, work):
    url = "/api/v1/auth/token/"

    wrong = work(url, {"email": "known@example.com", "password": "wrong-password-1"})
    unknown = work(url, {"email": "nobody@example.com", "password": "wrong-password-1"})

    assert wrong[0].json() == unknown[0].json()
    assert wrong[1] == 1
    assert_alike(wrong, unknown)


def test_registration_answers_and_hashes_alike_for_a_taken_address(known, work):
    url = "/api/v1/auth/register/"
    password = "analytical-engine-1843"

    taken = work(url, {"email": "known@example.com", "password": password})
    new = work(url, {"email": "new@example.com", "password": password})

    assert set(taken[0].json()) == set(new[0].json())
    assert new[1] == 1
    assert_alike(taken, new)


def test_a_reset_request_answers_alike_for_an_unknown_address(known, work):
    url = "/api/v1/auth/password-reset/"

    known_answer = work(url, {"email": "known@example.com"})
    unknown_answer = work(url, {"email": "nobody@example.com"})

    assert known_answer[0].json() == unknown_answer[0].json()
    assert_alike(known_answer, unknown_answer)


@pytest.mark.parametrize(
    ("url", "kind", "body"),
    [
        ("/api/v1/auth/password-reset/", "password_reset", {}),
        ("/api/v1/auth/email/verification/", "verify_email", {}),
        ("/api/v1/auth/register/", "account_exists", {"password": "a-long-pass-99"}),
    ],
)
def test_with_a_broker_the_request_only_hands_the_address_to_a_worker(
    known, work, settings, monkeypatch, url, kind, body
):
    settings.EVENTS_DELIVERY = "celery"
    handed = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, **kw: handed.append((name, kw))
    )

    response, _ = work(url, {"email": "Known@Example.com", **body})

    assert response.status_code in (201, 202)
    assert mail.outbox == []
    assert not CustomerEmail.objects.exists()
    assert handed == [
        (
            "users.send_account_mail",
            {
                "kwargs": {"kind": kind, "address": "known@example.com"},
                "queue": "users",
                "retry": False,
            },
        )
    ]


def test_the_worker_mails_a_known_address_only(known):
    sent = send_account_mail("password_reset", "known@example.com")
    unknown = send_account_mail("password_reset", "nobody@example.com")

    assert (sent, unknown) == (True, False)
    assert CustomerEmail.objects.get().to_address == "known@example.com"


def test_without_a_broker_the_account_is_looked_up_only_after_the_answer(
    known, monkeypatch
):
    looked_up = []
    monkeypatch.setattr(
        account_mail, "user_find_by_email", lambda address: looked_up.append(address)
    )
    signals.request_started.send(sender=None, environ={})
    account_mail.account_mail_soon(kind="password_reset", address="known@example.com")
    answered_before_lookup = looked_up == []
    signals.request_finished.send(sender=None)

    assert answered_before_lookup
    assert looked_up == ["known@example.com"]
