import uuid

import pytest

from apps.users.contracts import UserNotFound, UserSummary
from apps.users.interface import user_get


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
