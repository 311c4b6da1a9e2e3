"""The admin session's backend where users is not hosted: the session's staff
member is asked of users' interface (in-process and over the serializing
transport), never read from users' tables."""

import uuid

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from apps.users.staff_replica.backends import StaffSessionBackend
from apps.users.staff_replica.models import StaffMember
from tests.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("interface_transport")]


@pytest.fixture
def users_elsewhere(settings):
    settings.AUTH_USER_MODEL_HOSTED = False


@pytest.mark.usefixtures("users_elsewhere")
def test_a_staff_member_is_resolved_with_their_permissions(staff_user):
    staff_user.user_permissions.add(Permission.objects.get(codename="view_permission"))

    member = StaffSessionBackend().get_user(staff_user.pk)

    assert isinstance(member, StaffMember)
    assert (member.pk, member.get_username()) == (staff_user.pk, staff_user.email)
    assert (member.is_active, member.is_staff, member.is_superuser) == (
        True,
        True,
        False,
    )
    assert member.has_perm("auth.view_permission")
    assert not member.has_perm("auth.delete_permission")
    assert member.has_module_perms("auth") and not member.has_module_perms("users")
    assert member.get_session_auth_hash() == staff_user.get_session_auth_hash()


@pytest.mark.usefixtures("users_elsewhere")
def test_the_row_keeps_only_id_and_email_and_grants_nothing(staff_user):
    StaffSessionBackend().get_user(staff_user.pk)
    staff_user.email = "renamed@example.com"
    staff_user.save()
    StaffSessionBackend().get_user(staff_user.pk)

    stored = StaffMember.objects.get(pk=staff_user.pk)

    assert stored.email == "renamed@example.com"
    assert not (stored.is_staff or stored.is_active or stored.has_perm("any.perm"))


@pytest.mark.usefixtures("users_elsewhere")
def test_anyone_but_an_active_staff_member_is_nobody(customer):
    inactive = make_user(email="gone@example.com", is_staff=True)
    inactive.is_active = False
    inactive.save()
    backend = StaffSessionBackend()

    assert backend.get_user(customer.pk) is None
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(uuid.uuid4()) is None
    assert not StaffMember.objects.exists()


@pytest.mark.usefixtures("users_elsewhere")
def test_nobody_signs_in_where_users_is_not_hosted(staff_user):
    assert (
        StaffSessionBackend().authenticate(
            None, email=staff_user.email, password="correct-horse-battery-9"
        )
        is None
    )


def test_beside_the_user_model_it_is_djangos_model_backend(staff_user):
    backend = StaffSessionBackend()

    assert (
        backend.authenticate(
            None, email=staff_user.email, password="correct-horse-battery-9"
        )
        == staff_user
    )
    assert backend.get_user(staff_user.pk) == staff_user


def test_an_unreachable_users_leaves_the_session_anonymous(settings, staff_user):
    settings.AUTH_USER_MODEL_HOSTED = False
    settings.DOMAIN_APPS = []
    settings.SERVICE_URLS = {"users": "http://127.0.0.1:9"}
    settings.SERVICE_RETRY_ATTEMPTS = 1

    assert StaffSessionBackend().get_user(staff_user.pk) is None


@pytest.mark.usefixtures("users_elsewhere")
def test_a_password_change_ends_the_admin_session_where_users_is_not_hosted(
    staff_user,
):
    client = Client()
    client.force_login(staff_user)

    before = client.get("/admin/")
    staff_user.set_password("another-horse-battery-7")
    staff_user.save()
    after = client.get("/admin/")

    assert before.status_code == 200
    assert isinstance(before.wsgi_request.user, StaffMember)
    assert after.status_code == 302
    assert after["Location"].startswith("/admin/login/")
