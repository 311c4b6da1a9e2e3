"""Hostile request bodies are 4xx problems at bounded cost, never a 5xx."""

import time
import tracemalloc

import pytest

ORDERS = "/api/v1/orders/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_client(api_client, django_user_model):
    user = django_user_model.objects.create_user(
        email="hostile@example.com", password="hostile-pass-1"
    )
    api_client.force_authenticate(user)
    return api_client


def _post(client, body: bytes, content_type: str = "application/json"):
    return client.generic("POST", ORDERS, body, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, 400),
        (b"[" * 40 + b"]" * 40, 400),
        (b'{"items": "\xff\xfe"}', 400),
        (b'{"items": [{"product_id": "\\u0000", "quantity": 1}]}', 400),
        (b"\x00", 400),
        (b'{"items": [' + b"1," * 700_000 + b"1]}", 413),
        (b'{"x": "' + b"a" * 3_000_000 + b'"}', 413),
    ],
    ids=[
        "deep-arrays",
        "deep-objects",
        "deeper-than-allowed",
        "invalid-utf8",
        "nul-in-string",
        "nul-body",
        "huge-array",
        "huge-string",
    ],
)
def test_a_hostile_body_is_a_4xx_problem(customer_client, body, status):
    response = _post(customer_client, body)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"


def test_a_wrong_content_type_is_a_415_problem(customer_client):
    response = _post(customer_client, b"<order/>", content_type="application/xml")

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"


def _cost(client, body: bytes) -> tuple[int, float, int]:
    """Status, seconds and peak traced bytes of one request."""
    started = time.perf_counter()
    status = _post(client, body).status_code
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    _post(client, body)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return status, elapsed, peak


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 1_000_000 + b"]" * 1_000_000, 413),
        (b"[" + b"1," * 1_000_000 + b"1]", 413),
        (b"[" * 500_000 + b"]" * 500_000, 400),
        (b"[" + b"1," * 500_000 + b"]", 400),
        (b"[" + b"[1]," * 200_000 + b"1]", 400),
    ],
    ids=["2MB-deep", "2MB-wide", "1MB-deep", "1MB-wide", "1MB-of-lists"],
)
def test_a_big_body_costs_bounded_time_and_memory(customer_client, body, status):
    answered, elapsed, peak = _cost(customer_client, body)

    assert answered == status
    assert elapsed < 2.0  # generous: the machine is shared
    assert peak < 48 * 1024 * 1024


def test_duplicate_keys_are_refused_by_the_parser(customer_client):
    response = _post(customer_client, b'{"items": 1, "items": 2}')

    assert response.status_code == 400
    assert "duplicate keys: items" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/catalog/products/?search=a%00b",
        "/api/v1/catalog/products/?category=%00",
        "/api/v1/catalog/categories/a%00b/",
        "/api/v1/orders/?status=%00",
    ],
)
def test_a_nul_in_a_query_or_path_is_a_4xx_in_every_database(customer_client, url):
    response = customer_client.get(url)

    assert 400 <= response.status_code < 500


def test_a_nul_in_a_body_string_is_a_400_in_every_database(api_client):
    body = {"email": "nul@example.com", "password": "nul-pass-123", "first_name": "a\0"}

    response = api_client.post("/api/v1/auth/register/", body, format="json")

    assert response.status_code == 400
    assert "first_name" in response.json()["errors"]
