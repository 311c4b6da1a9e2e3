"""Odd paths under /api/: both slash spellings work, never a redirect or 5xx."""

import pytest

pytestmark = pytest.mark.django_db
CREDENTIALS = {"email": "nobody@example.com", "password": "wrong-password-1"}


@pytest.mark.parametrize("debug", [True, False])
def test_a_post_without_the_trailing_slash_reaches_the_view(
    api_client, settings, debug
):
    settings.DEBUG = debug

    response = api_client.post("/api/v1/auth/token", CREDENTIALS, format="json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_path_without_a_slash_is_a_problem_404(api_client, settings, debug):
    settings.DEBUG = debug

    response = api_client.post("/api/v1/auth/nothing", CREDENTIALS, format="json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_get_without_the_trailing_slash_answers_the_listing(api_client):
    response = api_client.get("/api/v1/catalog/products")

    assert response.status_code == 200


def test_the_admin_still_appends_its_slash(client):
    assert client.get("/admin").status_code == 301
