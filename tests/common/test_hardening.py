import pytest
from django.test import Client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs/"])
def test_html_pages_carry_a_content_security_policy(client, path, settings):
    response = client.get(path)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in policy
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_docs_start_up_script_is_served_as_a_file(client):
    response = client.get("/api/docs/?script=")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_for_staff_when_not_public(
    path, settings, customer, staff_user
):
    settings.API_DOCS_PUBLIC = False
    anonymous, as_customer, as_staff = Client(), Client(), Client()
    as_customer.force_login(customer)
    as_staff.force_login(staff_user)

    assert anonymous.get(path).status_code in (401, 403)
    assert as_customer.get(path).status_code == 403
    assert as_staff.get(path).status_code == 200


@pytest.mark.django_db
def test_readyz_shows_only_its_status_when_details_are_not_public(client, settings):
    settings.READYZ_DETAILS_PUBLIC = False
    ready = client.get("/readyz")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    not_ready = client.get("/readyz")

    assert ready.json() == {"status": "ready"}
    assert not_ready.status_code == 503
    assert "checks" not in not_ready.json()
    assert "broker" not in not_ready.json()["detail"]
