import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.common.db import alias_for
from apps.eventbus.models import OutboxEvent

User = get_user_model()


def run(*args, **env) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def registered_emails() -> list[str]:
    return sorted(
        OutboxEvent.objects.using(alias_for("users"))
        .filter(event_type="users.user.registered.v1")
        .values_list("payload__email", flat=True)
    )


@pytest.mark.django_db
def test_create_staff_creates_a_staff_account():
    out = run(
        "create_staff",
        "--email",
        "Ops@Example.com",
        "--password",
        "ops-team-passphrase-1",
        "--first-name",
        "Olga",
        "--no-input",
    )

    user = User.objects.get()
    assert out == "ops@example.com created staff\n"
    assert (user.email, user.first_name, user.is_staff, user.is_superuser) == (
        "ops@example.com",
        "Olga",
        True,
        False,
    )
    assert user.check_password("ops-team-passphrase-1")
    assert registered_emails() == ["ops@example.com"]


@pytest.mark.django_db
def test_create_staff_promotes_an_existing_customer_and_keeps_password(customer):
    before = customer.password

    out = run("create_staff", "--email", "CUSTOMER@example.com", "--no-input")

    customer.refresh_from_db()
    assert out == "customer@example.com promoted to staff\n"
    assert customer.is_staff is True
    assert customer.password == before
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_create_staff_reads_password_from_environment(monkeypatch):
    monkeypatch.setenv("STAFF_PASSWORD", "from-the-environment-9")

    run("create_staff", "--email", "env@example.com", "--no-input")

    assert User.objects.get().check_password("from-the-environment-9")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--password", "123"], "password: This password is too short."),
        ([], "password: A new staff account needs a password."),
    ],
)
def test_create_staff_refuses_bad_input_and_stores_nothing(args, message, monkeypatch):
    monkeypatch.delenv("STAFF_PASSWORD", raising=False)

    with pytest.raises(CommandError) as error:
        run("create_staff", "--email", "ops@example.com", "--no-input", *args)

    assert str(error.value).startswith(message)
    assert User.objects.count() == 0
