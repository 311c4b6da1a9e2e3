"""Black-box HTTP tests against a running gateway (`make test-split` starts one
and sets SPLIT_GATEWAY_URL); only the public API, as any client sees it."""

import os
import time
import uuid

import pytest
import requests

SHIPPING_ADDRESS = {
    "name": "Split Buyer",
    "line1": "1 Gateway Street",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


class Gateway:
    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()

    def call(self, method: str, path: str, *, token: str = "", **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(
            method, f"{self.url}{path}", headers=headers, timeout=15, **kwargs
        )

    def login(self, *, email: str, password: str) -> str:
        response = self.call(
            "POST", "/api/v1/auth/token/", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        return response.json()["access"]

    def eventually(self, path: str, *, token: str, until, timeout: float = 30):
        """GET `path` until `until(body)` holds; events cross deployables."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.call("GET", path, token=token)
            if response.status_code == 200 and until(response.json()):
                return response.json()
            assert time.monotonic() < deadline, f"{path}: {response.text}"
            time.sleep(0.2)


@pytest.fixture(scope="session")
def gateway() -> Gateway:
    return Gateway(os.environ["SPLIT_GATEWAY_URL"])


@pytest.fixture(scope="session")
def staff_token(gateway) -> str:
    return gateway.login(
        email=os.environ["SPLIT_STAFF_EMAIL"],
        password=os.environ["SPLIT_STAFF_PASSWORD"],
    )


@pytest.fixture
def customer(gateway) -> dict:
    email, password = f"buyer-{uuid.uuid4().hex[:12]}@example.com", "split-pass-4821"
    response = gateway.call(
        "POST",
        "/api/v1/auth/register/",
        json={"email": email, "password": password, "first_name": "S"},
    )
    assert response.status_code == 201, response.text
    return {
        "email": email,
        "password": password,
        "token": gateway.login(email=email, password=password),
    }


@pytest.fixture
def product_in_stock(gateway, staff_token) -> str:
    """A product created by staff, with stock once inventory has heard of it."""
    suffix = uuid.uuid4().hex[:8]
    category = gateway.call(
        "POST",
        "/api/v1/catalog/categories/",
        token=staff_token,
        json={"name": f"Split {suffix}", "slug": f"split-{suffix}"},
    )
    assert category.status_code == 201, category.text
    product = gateway.call(
        "POST",
        "/api/v1/catalog/products/",
        token=staff_token,
        json={
            "sku": f"SPLIT-{suffix}",
            "name": f"Split product {suffix}",
            "price": "12.50",
            "category": f"split-{suffix}",
        },
    )
    assert product.status_code == 201, product.text
    product_id = product.json()["id"]
    deadline = time.monotonic() + 30
    while True:
        stock = gateway.call(
            "POST",
            f"/api/v1/inventory/stock/{product_id}/adjustments/",
            token=staff_token,
            json={"delta": 10, "reason": "split test"},
        )
        if stock.status_code in (200, 201):
            return product_id
        assert stock.status_code in (404, 409), stock.text
        assert time.monotonic() < deadline, "inventory never heard of the product"
        time.sleep(0.2)
