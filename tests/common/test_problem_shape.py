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


def test_a_validation_problem_reads_the_same_from_a_serializer_or_a_service(
    staff_client_for_shape,
):
    by_serializer = staff_client_for_shape.post(
        "/api/v1/catalog/products/", {"sku": "V-1"}, format="json"
    ).json()
    body = {"sku": "V-1", "name": "One", "price": "1.00"}
    staff_client_for_shape.post("/api/v1/catalog/products/", body, format="json")
    by_service = staff_client_for_shape.post(
        "/api/v1/catalog/products/", body, format="json"
    ).json()

    assert "sku" in by_service["errors"]
    shared = ("title", "detail", "code", "status")
    assert [by_service[k] for k in shared] == [by_serializer[k] for k in shared]


@pytest.fixture
def staff_client_for_shape(api_client, django_user_model):
    staff = django_user_model.objects.create_user(
        email="shape@example.com", password="shape-pass-1", is_staff=True
    )
    api_client.force_authenticate(staff)
    return api_client
