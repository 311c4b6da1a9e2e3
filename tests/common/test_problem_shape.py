"""One problem shape for every error under /api/, whichever layer answers."""

import json

import pytest

pytestmark = pytest.mark.django_db
PRODUCTS = "/api/v1/catalog/products/"


def _answers(client, method: str, url: str):
    response = getattr(client, method)(url)
    return response.status_code, response.content


@pytest.mark.parametrize(
    ("method", "url", "title"),
    [
        ("get", f"{PRODUCTS}no-such-slug/", "Not found"),
        ("get", "/api/v1/nowhere/", "Not found"),
        ("get", "/api/v1/auth/token/", "Method not allowed"),
        ("get", "/api/v1/orders/", "Unauthorized"),
    ],
)
def test_every_layer_answers_the_same_compact_problem(api_client, method, url, title):
    status, content = _answers(api_client, method, url)

    body = json.loads(content)
    assert content == json.dumps(body, separators=(",", ":")).encode()
    assert body["title"] == title
    assert body["status"] == status
    assert set(body) == {"type", "title", "status", "detail", "code"}


def test_a_django_404_and_a_drf_404_say_the_same(api_client):
    _, by_django = _answers(api_client, "get", f"{PRODUCTS}no-such-slug/")
    _, by_view = _answers(api_client, "get", "/api/v1/catalog/categories/none/")

    assert json.loads(by_django)["title"] == json.loads(by_view)["title"]
