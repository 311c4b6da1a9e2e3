"""The gateway's configuration (stack/gateway.py) and a real nginx serving it
with every deployable down; the split stack itself is not started here."""

import os
import subprocess

import pytest
import requests

from stack.gateway import nginx_argv, nginx_binary, render_config, write_config
from stack.procs import free_port, wait_for
from stack.split import app_addresses, parse_deployables

# Nothing listens on port 9: every upstream is down.
DOWN = {app: "127.0.0.1:9" for app in ("users", "catalog", "inventory", "orders")}


def test_every_public_prefix_goes_to_the_deployable_hosting_it():
    addresses = app_addresses(
        parse_deployables("users+catalog+orders,inventory"), port_base=8101
    )

    config = render_config(
        app_addresses=addresses, port=8080, run_dir=os.devnull, schema_dir="/s"
    )

    assert addresses == {
        "users": "127.0.0.1:8101",
        "catalog": "127.0.0.1:8101",
        "orders": "127.0.0.1:8101",
        "inventory": "127.0.0.1:8103",
    }
    assert config.count("upstream ") == 2
    for prefix, upstream in (
        ("auth", "users"),
        ("users", "users"),
        ("catalog", "users"),
        ("orders", "users"),
        ("inventory", "inventory"),
    ):
        assert (
            f"location /api/v1/{prefix}/ {{\n            proxy_pass http://{upstream};"
            in config
        )
    assert "{{" not in config


def test_a_topology_must_host_every_app_once():
    with pytest.raises(SystemExit):
        parse_deployables("users+catalog,catalog+orders,inventory")


@pytest.fixture
def gateway_down(tmp_path):
    if not nginx_binary() and not os.environ.get("REQUIRE_NGINX"):
        pytest.skip("nginx is not installed (CI installs it: REQUIRE_NGINX=1)")
    (tmp_path / "schema").mkdir()
    port = free_port()
    config = render_config(
        app_addresses=DOWN,
        port=port,
        run_dir=tmp_path,
        schema_dir=tmp_path / "schema",
        body_limit="1k",
        image_body_limit="8k",
    )
    proc = subprocess.Popen(
        nginx_argv(write_config(run_dir=tmp_path, config=config)),
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url), timeout=10, what="nginx")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/internal/", timeout=1).status_code == 404
    except requests.ConnectionError:
        return False


def test_a_deployable_down_is_a_502_problem_keeping_the_request_id(gateway_down):
    response = requests.get(
        f"{gateway_down}/api/v1/catalog/products/",
        headers={"X-Request-ID": "down-1"},
        timeout=5,
    )

    assert response.status_code == 502
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["X-Request-ID"] == "down-1"
    assert response.json()["code"] == "bad_gateway"


def test_internal_endpoints_are_never_routed(gateway_down):
    response = requests.post(f"{gateway_down}/internal/v1/catalog/x/", timeout=5)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_body_over_the_limit_is_a_413_problem(gateway_down):
    response = requests.post(
        f"{gateway_down}/api/v1/orders/", data=b"x" * 4096, timeout=5
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


PRODUCT = "0b7e8c1e-5d6f-4a3b-9c2d-1e0f2a3b4c5d"


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/catalog/products/{PRODUCT}/images/",
        "/admin/catalog/product/add/",
        f"/admin/catalog/product/{PRODUCT}/change/",
    ],
)
def test_an_image_upload_passes_the_gateway_up_to_the_image_limit(gateway_down, path):
    # Past the gateway: the catalog deployable (down here) would answer.
    within = requests.post(f"{gateway_down}{path}", data=b"x" * 4096, timeout=5)
    over = requests.post(f"{gateway_down}{path}", data=b"x" * 9000, timeout=5)

    assert within.status_code == 502
    assert over.status_code == 413
    assert over.json()["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/catalog/products/",
        f"/api/v1/catalog/products/{PRODUCT}/",
        f"/api/v1/catalog/products/{PRODUCT}/images/1/",
        f"/admin/catalog/product/{PRODUCT}/delete/",
        "/api/v1/orders/",
    ],
)
def test_other_routes_keep_the_smaller_limit(gateway_down, path):
    response = requests.post(f"{gateway_down}{path}", data=b"x" * 4096, timeout=5)

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_the_image_upload_routes_go_to_the_deployable_hosting_the_catalog():
    addresses = app_addresses(
        parse_deployables("users+orders,catalog+inventory"), port_base=8101
    )

    config = render_config(
        app_addresses=addresses,
        port=8080,
        run_dir=os.devnull,
        schema_dir="/s",
        image_body_limit="5308416",
    )

    for route in (
        "^/api/v1/catalog/products/[^/]+/images/$",
        "^/admin/catalog/product/(add|[^/]+/change)/$",
    ):
        assert (
            f"location ~ {route} {{\n"
            "            client_max_body_size 5308416;\n"
            "            proxy_pass http://catalog;\n"
        ) in config


def test_a_port_base_moves_every_deployable_together():
    addresses = app_addresses(
        parse_deployables("users,catalog,inventory,orders"), port_base=8281
    )

    assert addresses == {
        "users": "127.0.0.1:8281",
        "catalog": "127.0.0.1:8282",
        "inventory": "127.0.0.1:8283",
        "orders": "127.0.0.1:8284",
    }
