import pytest


@pytest.mark.django_db
def test_healthz_answers_ok(api_client):
    response = api_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_every_database(api_client, settings):
    response = api_client.get("/readyz")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) >= {f"database:{alias}" for alias in settings.DATABASES}
    assert all(checks.values())


@pytest.mark.django_db
def test_readyz_is_503_problem_when_broker_unreachable(api_client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["checks"]["broker"] is False


def test_request_id_is_echoed_or_generated(client):
    given = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    generated = client.get("/healthz")

    assert given["X-Request-ID"] == "abc-123"
    assert len(generated["X-Request-ID"]) == 36
