import uuid

import pytest

from apps.common.errors import ValidationFailed
from apps.users.contracts import UserNotFound, UserSummary
from apps.users.interface import (
    customer_register,
    staff_create,
    user_get,
    user_get_by_email,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("interface_transport")]


@pytest.mark.django_db
def test_user_get_returns_a_frozen_summary(customer):
    customer.first_name, customer.last_name = "Ada", "Lovelace"
    customer.save()

    summary = user_get(user_id=str(customer.pk))

    assert summary == UserSummary(
        id=customer.pk,
        email="customer@example.com",
        first_name="Ada",
        last_name="Lovelace",
        is_staff=False,
        is_active=True,
    )
    with pytest.raises(AttributeError):
        summary.is_staff = True  # type: ignore[misc]


@pytest.mark.django_db
def test_user_get_accepts_uuid_and_reports_staff_and_inactive(staff_user):
    staff_user.is_active = False
    staff_user.save()

    summary = user_get(user_id=staff_user.pk)

    assert (summary.is_staff, summary.is_active) == (True, False)


@pytest.mark.django_db
@pytest.mark.parametrize("user_id", [uuid.uuid4(), "not-a-uuid", ""])
def test_user_get_raises_user_not_found(user_id, customer):
    with pytest.raises(UserNotFound):
        user_get(user_id=user_id)


@pytest.mark.django_db
def test_user_get_by_email_matches_any_case(customer):
    assert user_get_by_email(email="Customer@Example.com").id == customer.pk
    with pytest.raises(UserNotFound):
        user_get_by_email(email="nobody@example.com")


@pytest.mark.django_db
def test_customer_register_returns_the_new_customer_once():
    new = customer_register(email="Ada@Example.com", password="a-long-pass-99")

    with pytest.raises(ValidationFailed) as refused:
        customer_register(email="ada@example.com", password="a-long-pass-99")

    assert (new.email, new.is_staff) == ("ada@example.com", False)
    assert list(refused.value.extra["errors"]) == ["email"]


@pytest.mark.django_db
def test_staff_create_creates_staff_or_promotes_an_existing_account(customer):
    new = staff_create(email="ops@example.com", password="a-long-pass-99")
    promoted = staff_create(email=customer.email, password="b-long-pass-98")

    assert (new.is_staff, promoted.is_staff) == (True, True)
    assert promoted.id == customer.pk
