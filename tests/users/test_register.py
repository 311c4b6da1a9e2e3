import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from apps.common.db import alias_for
from apps.eventbus.models import OutboxEvent
from apps.users.api.views import RegisterThrottle

User = get_user_model()
URL = "/api/v1/auth/register/"
GOOD = {
    "email": "  Ada.Lovelace@Example.COM ",
    "password": "analytical-engine-1843",
    "first_name": "Ada",
    "last_name": "Lovelace",
}


def registered_events():
    return list(
        OutboxEvent.objects.using(alias_for("users"))
        .filter(event_type="users.user.registered.v1")
        .values_list("payload", flat=True)
    )


@pytest.mark.django_db
def test_register_creates_customer_and_publishes_event(api_client):
    response = api_client.post(URL, GOOD, format="json")

    assert response.status_code == 201
    body = response.json()
    user = User.objects.get()
    assert body == {
        "id": str(user.pk),
        "email": "ada.lovelace@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone": "",
        "role": "customer",
        "email_verified": False,
        "date_joined": body["date_joined"],
        "stats": {"order_count": 0, "lifetime_spend": []},
    }
    assert "password" not in response.content.decode()
    assert user.password not in response.content.decode()
    assert user.check_password("analytical-engine-1843")
    assert registered_events() == [
        {"user_id": str(user.pk), "email": "ada.lovelace@example.com"}
    ]


@pytest.mark.django_db
def test_register_hashes_with_argon2_from_base_settings(api_client, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]

    assert api_client.post(URL, GOOD, format="json").status_code == 201

    assert User.objects.get().password.startswith("argon2$argon2id$")


@pytest.mark.django_db
def test_a_taken_address_answers_like_a_new_account_and_mails_its_owner(
    api_client, customer, django_capture_on_commit_callbacks
):
    new = api_client.post(URL, {**GOOD, "email": "new@example.com"}, format="json")

    with django_capture_on_commit_callbacks(using=alias_for("users"), execute=True):
        taken = api_client.post(
            URL, {**GOOD, "email": "CUSTOMER@example.com"}, format="json"
        )

    assert taken.status_code == new.status_code == 201
    assert taken["Content-Type"] == new["Content-Type"]
    body, new_body = taken.json(), new.json()
    assert set(body) == set(new_body)
    assert body["id"] not in (str(customer.pk), new_body["id"])
    assert {
        k: v for k, v in body.items() if k not in ("id", "email", "date_joined")
    } == {k: v for k, v in new_body.items() if k not in ("id", "email", "date_joined")}
    assert body["email"] == "customer@example.com"
    assert User.objects.count() == 2
    customer.refresh_from_db()
    assert customer.check_password("analytical-engine-1843") is False
    assert [m.to for m in mail.outbox] == [["customer@example.com"]]
    assert mail.outbox[0].subject == "You already have an account"
    assert len(registered_events()) == 1  # the new account's only


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "short1",
            "This password is too short. It must contain at least 8 characters.",
        ),
        ("12345678901", "This password is entirely numeric."),
        ("password123", "This password is too common."),
        ("lovelace1", "The password is too similar to the last name."),
    ],
)
def test_register_validates_password(api_client, password, message):
    response = api_client.post(URL, {**GOOD, "password": password}, format="json")

    assert response.status_code == 400
    assert message in response.json()["errors"]["password"]
    assert User.objects.count() == 0
    assert registered_events() == []


@pytest.mark.django_db
def test_register_reports_every_bad_field(api_client):
    response = api_client.post(
        URL, {"email": "not-an-email", "first_name": "x" * 151}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email": ["Enter a valid email address."],
        "password": ["This field is required."],
        "first_name": ["Ensure this field has no more than 150 characters."],
    }
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_register_ignores_mass_assignment(api_client):
    response = api_client.post(
        URL,
        {
            **GOOD,
            "is_staff": True,
            "is_superuser": True,
            "is_active": False,
            "role": "staff",
            "id": "00000000-0000-0000-0000-000000000001",
            "date_joined": "2000-01-01T00:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201
    user = User.objects.get()
    assert (user.is_staff, user.is_superuser, user.is_active) == (False, False, True)
    assert str(user.pk) != "00000000-0000-0000-0000-000000000001"
    assert user.date_joined.year != 2000
    assert response.json()["role"] == "customer"


@pytest.mark.django_db
def test_registration_is_throttled_per_client_address(
    api_client, monkeypatch, throttle_clock
):
    monkeypatch.setattr(RegisterThrottle, "rate", "2/hour", raising=False)

    statuses = [
        api_client.post(URL, {**GOOD, "email": f"user{n}@x.com"}, format="json")
        for n in range(3)
    ]
    throttled = api_client.post(URL, {**GOOD, "email": "late@x.com"}, format="json")
    elsewhere = api_client.post(
        URL, {**GOOD, "email": "other@x.com"}, format="json", REMOTE_ADDR="10.0.0.9"
    )

    assert [response.status_code for response in statuses] == [201, 201, 429]
    assert throttled.status_code == 429
    assert throttled.json()["status"] == 429
    assert 0 < int(throttled["Retry-After"]) <= 3600
    assert elsewhere.status_code == 201
    assert User.objects.count() == 3


@pytest.mark.django_db
def test_a_made_up_forwarded_address_does_not_escape_the_throttle(
    api_client, monkeypatch, throttle_clock
):
    # No proxy is trusted (NUM_PROXIES unset): the socket's address counts.
    monkeypatch.setattr(RegisterThrottle, "rate", "1/hour", raising=False)

    statuses = [
        api_client.post(
            URL,
            {**GOOD, "email": f"spoof{n}@x.com"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(3)
    ]

    assert statuses == [201, 429, 429]
    assert User.objects.count() == 1
