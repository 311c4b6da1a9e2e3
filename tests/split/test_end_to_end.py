"""The shop's journeys through the gateway, over real HTTP."""

import uuid

import pytest

from tests.split.conftest import SHIPPING_ADDRESS

pytestmark = pytest.mark.split
PROBLEM = "application/problem+json"


def place(gateway, *, token: str, product_id: str) -> dict:
    response = gateway.call(
        "POST",
        "/api/v1/orders/",
        token=token,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={
            "items": [{"product_id": product_id, "quantity": 1}],
            "shipping_address": SHIPPING_ADDRESS,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def confirmed(gateway, *, token: str, order_id: str) -> dict:
    return gateway.eventually(
        f"/api/v1/orders/{order_id}/",
        token=token,
        until=lambda body: body["status"] != "pending",
    )


def test_anyone_lists_products(gateway):
    response = gateway.call("GET", "/api/v1/catalog/products/")

    assert response.status_code == 200
    assert {"next", "previous", "results"} <= set(response.json())


def test_a_customer_sees_itself(gateway, customer):
    response = gateway.call("GET", "/api/v1/users/me/", token=customer["token"])

    assert response.status_code == 200
    assert response.json()["email"] == customer["email"]


def test_an_order_is_confirmed_then_paid(gateway, customer, product_in_stock):
    order = place(gateway, token=customer["token"], product_id=product_in_stock)

    assert (
        confirmed(gateway, token=customer["token"], order_id=order["id"])["status"]
        == "confirmed"
    )
    paid = gateway.call(
        "POST",
        f"/api/v1/orders/{order['id']}/pay/",
        token=customer["token"],
        headers={"Idempotency-Key": str(uuid.uuid4())},
        json={"payment_token": "tok_success"},
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"


def test_a_confirmed_order_is_cancelled(gateway, customer, product_in_stock):
    order = place(gateway, token=customer["token"], product_id=product_in_stock)
    confirmed(gateway, token=customer["token"], order_id=order["id"])

    cancelled = gateway.call(
        "POST", f"/api/v1/orders/{order['id']}/cancel/", token=customer["token"]
    )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"


def test_a_customer_exports_then_erases_their_data_across_deployables(
    gateway, customer, staff_token, product_in_stock
):
    order = place(gateway, token=customer["token"], product_id=product_in_stock)
    confirmed(gateway, token=customer["token"], order_id=order["id"])
    gateway.call(
        "POST", f"/api/v1/orders/{order['id']}/cancel/", token=customer["token"]
    )

    exported = gateway.call("GET", "/api/v1/users/me/export/", token=customer["token"])
    erased = gateway.call(
        "POST",
        "/api/v1/users/me/erase/",
        token=customer["token"],
        json={"password": customer["password"]},
    )

    assert exported.status_code == 200, exported.text
    assert [o["id"] for o in exported.json()["orders"]] == [order["id"]]
    assert exported.json()["addresses"] == [{"line2": "", **SHIPPING_ADDRESS}]
    assert erased.status_code == 204, erased.text
    # The orders deployable refuses the ended token too (shared cache).
    gone = gateway.call("GET", "/api/v1/orders/", token=customer["token"])
    assert gone.status_code == 401
    anonymized = gateway.eventually(
        f"/api/v1/orders/{order['id']}/",
        token=staff_token,
        until=lambda body: body["shipping_address"]["name"] == "",
    )
    assert anonymized["shipping_address"]["country"] == "DE"
    assert anonymized["total"] == order["total"]


def test_reset_and_registration_do_not_tell_who_has_an_account(gateway, customer):
    def reset(email):
        return gateway.call(
            "POST", "/api/v1/auth/password-reset/", json={"email": email}
        )

    def register(email):
        return gateway.call(
            "POST",
            "/api/v1/auth/register/",
            json={"email": email, "password": "split-pass-4821"},
        )

    known, unknown = (
        reset(customer["email"]),
        reset(f"x-{uuid.uuid4().hex}@example.com"),
    )
    taken, new = (
        register(customer["email"]),
        register(f"n-{uuid.uuid4().hex}@example.com"),
    )

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert taken.status_code == new.status_code == 201
    assert set(taken.json()) == set(new.json())


def test_problems_have_the_monoliths_shape(gateway, customer):
    missing = gateway.call(
        "GET", f"/api/v1/orders/{uuid.uuid4()}/", token=customer["token"]
    )
    anonymous = gateway.call("GET", "/api/v1/orders/")
    forbidden = gateway.call(
        "POST",
        "/api/v1/catalog/categories/",
        token=customer["token"],
        json={"name": "No", "slug": "no"},
    )
    unknown = gateway.call("GET", "/api/v1/nowhere/")

    for response, status in ((missing, 404), (anonymous, 401), (forbidden, 403)):
        assert response.status_code == status
        assert response.headers["Content-Type"] == PROBLEM
        assert {"type", "title", "status", "detail", "code"} <= set(response.json())
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"


def test_internal_endpoints_are_not_public(gateway):
    response = gateway.call("GET", "/internal/v1/catalog/")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM


def test_the_request_id_is_kept(gateway):
    response = gateway.call(
        "GET", "/api/v1/catalog/products/", headers={"X-Request-ID": "split-abc-1"}
    )

    assert response.headers["X-Request-ID"] == "split-abc-1"


def test_the_schema_at_the_gateway_holds_every_apps_routes(gateway):
    paths = gateway.call("GET", "/api/schema/?format=json").json()["paths"]

    for prefix in ("auth", "users", "catalog", "inventory", "orders"):
        assert any(path.startswith(f"/api/v1/{prefix}/") for path in paths)


def noise_jpeg(side: int) -> bytes:
    """A photo-like JPEG that does not compress: about a byte per pixel."""
    import io
    import random

    from PIL import Image

    pixels = random.Random(side).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_staff_upload_an_image_larger_than_the_gateways_other_bodies(
    gateway, staff_token, product_in_stock
):
    picture = noise_jpeg(1100)

    response = gateway.call(
        "POST",
        f"/api/v1/catalog/products/{product_in_stock}/images/",
        token=staff_token,
        files={"image": ("noise.jpg", picture, "image/jpeg")},
        data={"alt_text": "Noise"},
    )

    assert len(picture) > 1024 * 1024  # the limit of every other route
    assert response.status_code == 201, response.text
    assert (response.json()["width"], response.json()["alt_text"]) == (1100, "Noise")
    detail = gateway.call("GET", f"/api/v1/catalog/products/{product_in_stock}/")
    assert [image["id"] for image in detail.json()["images"]] == [response.json()["id"]]


def test_an_upload_body_past_the_catalogs_limit_is_a_413_problem_at_the_gateway(
    gateway, staff_token, product_in_stock
):
    from django.conf import settings

    response = gateway.call(
        "POST",
        f"/api/v1/catalog/products/{product_in_stock}/images/",
        token=staff_token,
        files={"image": ("big.jpg", b"x" * settings.CATALOG_IMAGE_UPLOAD_MAX_BODY)},
    )

    assert response.status_code == 413
    assert response.headers["Content-Type"] == PROBLEM
    assert response.json()["code"] == "payload_too_large"
    detail = gateway.call("GET", f"/api/v1/catalog/products/{product_in_stock}/")
    assert detail.json()["images"] == []
