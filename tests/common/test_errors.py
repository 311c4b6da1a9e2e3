"""One problem-details format for every error under /api/, never a traceback."""

import pytest
from django.test import Client

PROBLEM = "application/problem+json"


@pytest.fixture
def lenient_client():
    # As a real server: an uncaught exception becomes the 500 page, not a raise.
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_unknown_api_url_is_a_problem_404_that_echoes_nothing(client):
    response = client.get("/api/v1/no-such-thing/<script>")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == {
        "type": "https://errors.shop.example/not_found",
        "title": "Not found",
        "status": 404,
        "detail": "Not found.",
        "code": "not_found",
    }


@pytest.mark.django_db
def test_unknown_url_outside_api_keeps_django_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/v1/probe/boom/", "/api/v1/probe/django-boom/"], ids=["drf", "django"]
)
def test_uncaught_exception_under_api_is_a_problem_500_without_traceback(
    probe_urls, lenient_client, url
):
    response = lenient_client.get(url)

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 500
    assert body["code"] == "server_error"
    text = response.content.decode()
    assert "Traceback" not in text
    assert "secret internals" not in text
    assert "settings.py" not in text


@pytest.mark.django_db
def test_uncaught_exception_outside_api_keeps_html_500(probe_urls, lenient_client):
    response = lenient_client.get("/probe/django-boom/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"secret internals" not in response.content


@pytest.mark.django_db
def test_csrf_failure_under_api_is_a_problem_403(probe_urls, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)

    response = client.post("/api/v1/probe/form/", {"a": "1"})

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "csrf_failed"


@pytest.mark.django_db
def test_disallowed_host_under_api_is_a_problem_400(client):
    response = client.get("/api/v1/orders/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "bad_request"


@pytest.mark.django_db
def test_drf_validation_error_is_a_problem_with_field_messages(
    probe_urls, customer_client
):
    response = customer_client.post("/api/v1/orders/", {"quantity": 0}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["errors"] == {
        "quantity": ["Ensure this value is greater than or equal to 1."]
    }


@pytest.mark.django_db
def test_missing_credentials_is_a_problem_401(probe_urls, api_client):
    response = api_client.post("/api/v1/orders/", {"quantity": 1}, format="json")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_an_invalid_access_token_is_a_readable_problem_with_a_stable_code(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer abc.def.ghi")

    response = api_client.get("/api/v1/users/me/")

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_not_valid"
    assert body["detail"] == "Given token not valid for any token type"
    assert "ErrorDetail" not in response.content.decode()


def test_an_unknown_api_path_is_a_problem_even_with_debug_on(client, settings):
    settings.DEBUG = True

    response = client.get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
