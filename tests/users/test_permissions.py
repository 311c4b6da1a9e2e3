"""The kernel's reusable permissions, as other apps' API modules use them."""

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from apps.common.permissions import IsOwnerOrStaff, IsStaff, IsStaffOrReadOnly

factory = APIRequestFactory()


def request(method: str, user):
    req = getattr(factory, method)("/")
    req.user = user
    return req


class Owned:
    def __init__(self, owner_id):
        self.user_id = owner_id


@pytest.mark.django_db
def test_is_staff(customer, staff_user):
    allowed = [
        IsStaff().has_permission(request("get", user), None)
        for user in (AnonymousUser(), customer, staff_user)
    ]

    assert allowed == [False, False, True]


@pytest.mark.django_db
def test_is_staff_or_read_only(customer, staff_user):
    permission = IsStaffOrReadOnly()

    assert permission.has_permission(request("get", AnonymousUser()), None)
    assert not permission.has_permission(request("post", AnonymousUser()), None)
    assert not permission.has_permission(request("patch", customer), None)
    assert permission.has_permission(request("delete", staff_user), None)


@pytest.mark.django_db
def test_is_owner_or_staff(customer, other_customer, staff_user):
    permission = IsOwnerOrStaff()
    mine = Owned(customer.pk)

    assert permission.has_object_permission(request("get", customer), None, mine)
    assert not permission.has_object_permission(
        request("get", other_customer), None, mine
    )
    assert permission.has_object_permission(request("get", staff_user), None, mine)
    assert permission.has_object_permission(
        request("get", customer), None, {"user_id": str(customer.pk)}
    )
    assert not permission.has_object_permission(
        request("get", customer), None, Owned(uuid.uuid4())
    )
