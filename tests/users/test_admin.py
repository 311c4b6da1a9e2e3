import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

User = get_user_model()


@pytest.fixture
def admin_client(db):
    admin = User.objects.create_superuser("root@example.com", "root-password-123")
    client = Client()
    client.force_login(admin)
    return client


def listed(response) -> list[str]:
    return sorted(str(user.email) for user in response.context["cl"].result_list)


@pytest.mark.django_db
def test_users_are_searchable_by_email_and_name(admin_client, customer, other_customer):
    customer.last_name = "Lovelace"
    customer.save()

    by_name = admin_client.get("/admin/users/user/", {"q": "lovelace"})
    by_email = admin_client.get("/admin/users/user/", {"q": "other@"})

    assert listed(by_name) == ["customer@example.com"]
    assert listed(by_email) == ["other@example.com"]


@pytest.mark.django_db
def test_users_filter_by_role_and_active(
    admin_client, customer, other_customer, staff_user
):
    other_customer.is_active = False
    other_customer.save()

    staff = admin_client.get("/admin/users/user/", {"role": "staff"})
    customers = admin_client.get("/admin/users/user/", {"role": "customer"})
    inactive = admin_client.get("/admin/users/user/", {"is_active__exact": "0"})

    assert listed(staff) == ["root@example.com", "staff@example.com"]
    assert listed(customers) == ["customer@example.com", "other@example.com"]
    assert listed(inactive) == ["other@example.com"]


@pytest.mark.django_db
def test_staff_is_toggled_on_the_change_form(admin_client, customer):
    url = f"/admin/users/user/{customer.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key in form.fields and value is not None and key != "password"
    }
    data.update(
        is_staff="on",
        is_active="on",
        groups=[],
        user_permissions=[],
        date_joined_0=customer.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=customer.date_joined.strftime("%H:%M:%S"),
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.is_staff is True


@pytest.mark.django_db
def test_change_form_shows_no_password_hash_field(admin_client, customer):
    form = (
        admin_client.get(f"/admin/users/user/{customer.pk}/change/")
        .context["adminform"]
        .form
    )

    assert form.fields["password"].disabled is True


@pytest.mark.django_db
def test_admin_password_change_revokes_tokens(admin_client, customer, customer_client):
    response = admin_client.post(
        f"/admin/users/user/{customer.pk}/password/",
        {
            "usable_password": "true",
            "password1": "set-by-the-admin-42",
            "password2": "set-by-the-admin-42",
        },
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("set-by-the-admin-42")
    assert customer_client.get("/api/v1/users/me/").status_code == 401


@pytest.mark.django_db
def test_admin_can_add_a_user_by_email(admin_client):
    response = admin_client.post(
        "/admin/users/user/add/",
        {
            "email": "New@Example.com",
            "usable_password": "true",
            "password1": "a-new-account-pass-1",
            "password2": "a-new-account-pass-1",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email__iexact="new@example.com")
    assert user.email == "new@example.com"
    assert user.check_password("a-new-account-pass-1")


@pytest.mark.django_db
def test_customers_cannot_open_the_admin(customer):
    client = Client()
    client.force_login(customer)

    assert client.get("/admin/users/user/").status_code == 302


@pytest.mark.django_db
def test_customer_emails_are_listed_read_only_with_unsent_ones_filterable(
    admin_client, customer
):
    from apps.users.models import CustomerEmail

    sent, unsent = (
        CustomerEmail.objects.create(
            user=customer,
            order_id=uuid.uuid4(),
            kind=kind,
            to_address=customer.email,
            subject="s",
            body="b",
            html="<p>b</p>",
            sent_at=sent_at,
            last_error="" if sent_at else "Connection refused",
        )
        for kind, sent_at in (("paid", timezone.now()), ("shipped", None))
    )

    unsent_only = admin_client.get(
        "/admin/users/customeremail/", {"sent_at__isempty": "1"}
    )
    detail = admin_client.get(f"/admin/users/customeremail/{unsent.pk}/change/")

    assert [e.pk for e in unsent_only.context["cl"].result_list] == [unsent.pk]
    assert detail.status_code == 200
    assert b"Connection refused" in detail.content
    assert b'name="_save"' not in detail.content  # nothing to save
    assert admin_client.get("/admin/users/customeremail/add/").status_code == 403


@pytest.mark.django_db
def test_admin_login_shares_the_api_logins_counters(login, staff_user, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_account_client": "3/hour",
        },
    }
    browser = Client()
    wrong = {"username": staff_user.email, "password": "wrong-password-1"}
    admin_failures = [browser.post("/admin/login/", wrong) for _ in range(2)]
    api_failure = login(staff_user.email, "wrong-password-1")

    throttled = browser.post(
        "/admin/login/", {**wrong, "password": "correct-horse-battery-9"}
    )
    api_throttled = login(staff_user.email)

    assert [r.status_code for r in admin_failures] == [200, 200]
    assert api_failure.status_code == 401
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "Too many failed logins" in throttled.content.decode()
    assert "_auth_user_id" not in browser.session
    assert api_throttled.status_code == 429


@pytest.mark.django_db
def test_admin_login_signs_staff_in_and_keeps_customers_out(staff_user, customer):
    password = {"password": "correct-horse-battery-9"}
    staff = Client()
    customer_browser = Client()

    signed_in = staff.post(
        "/admin/login/", {"username": "STAFF@example.com", **password}
    )
    refused = customer_browser.post(
        "/admin/login/", {"username": customer.email, **password}
    )

    assert signed_in.status_code == 302
    assert staff.session["_auth_user_id"] == str(staff_user.pk)
    assert refused.status_code == 200
    assert "_auth_user_id" not in customer_browser.session
