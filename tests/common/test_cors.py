"""A browser front end on an allowed origin may call the API; others get no
CORS headers (none are allowed by default)."""

import pytest

pytestmark = pytest.mark.django_db
FRONT_END = "https://shop-front.example"
PREFLIGHT = {
    "HTTP_ORIGIN": FRONT_END,
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization, content-type, idempotency-key",
}


@pytest.fixture
def allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONT_END]


def test_a_preflight_from_an_allowed_origin_is_answered(client, allowed):
    response = client.options("/api/v1/orders/", **PREFLIGHT)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == FRONT_END
    allowed_headers = response["Access-Control-Allow-Headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= {
        h.strip() for h in allowed_headers.split(",")
    }


def test_an_api_answer_to_an_allowed_origin_carries_the_header(client, allowed):
    response = client.get("/api/v1/catalog/products/", HTTP_ORIGIN=FRONT_END)

    assert response["Access-Control-Allow-Origin"] == FRONT_END


def test_no_origin_is_allowed_by_default(client):
    response = client.options("/api/v1/orders/", **PREFLIGHT)

    assert "Access-Control-Allow-Origin" not in response


def test_the_admin_never_answers_cross_origin(client, allowed):
    response = client.get("/admin/login/", HTTP_ORIGIN=FRONT_END)

    assert "Access-Control-Allow-Origin" not in response
