"""The kernel's reusable permissions, as other apps' API modules use them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIRequestFactory

from apps.common.permissions import IsStaff, IsStaffOrReadOnly

factory = APIRequestFactory()


def request(method: str, user):
    req = getattr(factory, method)("/")
    req.user = user
    return req


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
