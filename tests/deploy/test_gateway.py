"""The split gateway's nginx configuration (compose's `gateway` and the
overlay's ConfigMap): each public prefix goes to the deployable that serves it,
/internal/ to none, and nginx accepts the file."""

import re
import shutil

import pytest
from django.conf import settings

from tests.deploy.conftest import K8S, run

NGINX_CONF = K8S / "overlays" / "split" / "nginx.conf"
LOCATION = re.compile(r"location\s+(\S+)\s*\{([^{}]*)\}")
PROXY_PASS = re.compile(r"proxy_pass\s+http://(\w+);")
ROUTES = {
    "/api/v1/auth/": "users",
    "/api/v1/users/": "users",
    "/api/v1/catalog/": "catalog",
    "/api/v1/inventory/": "inventory",
    "/api/v1/orders/": "orders",
    "/api/v1/cart/": "orders",
    "/admin/": "catalog",
    "/static/": "catalog",
}


def proxied_routes(config: str) -> dict[str, str | None]:
    return {
        path: (match.group(1) if (match := PROXY_PASS.search(body)) else None)
        for path, body in LOCATION.findall(config)
    }


def test_every_public_prefix_goes_to_its_deployable_and_internal_to_none():
    config = NGINX_CONF.read_text()
    routes = proxied_routes(config)

    assert {path: app for path, app in routes.items() if app} == ROUTES
    assert routes["/internal/"] is None
    assert routes["/"] is None
    for app in settings.DOMAIN_APPS:
        assert f"upstream {app} {{ server {app}:8000; }}" in config


IMAGE_LOCATION = re.compile(
    r"location ~ (\S+) \{\s*client_max_body_size (\d+);\s*proxy_pass http://(\w+);"
)


def test_image_uploads_go_to_the_catalog_with_the_catalogs_upload_limit():
    config = NGINX_CONF.read_text()

    routes = IMAGE_LOCATION.findall(config)

    assert routes == [
        (
            "^/api/v1/catalog/products/[^/]+/images/$",
            str(settings.CATALOG_IMAGE_UPLOAD_MAX_BODY),
            "catalog",
        ),
        (
            "^/admin/catalog/product/(add|[^/]+/change)/$",
            str(settings.CATALOG_IMAGE_UPLOAD_MAX_BODY),
            "catalog",
        ),
    ]
    assert re.search(r"^    client_max_body_size 1m;$", config, re.MULTILINE)


def test_the_route_check_sees_a_gateway_that_routes_internal():
    config = NGINX_CONF.read_text().replace(
        "location /internal/ { return 404; }",
        "location /internal/ { proxy_pass http://orders; }",
    )

    assert proxied_routes(config)["/internal/"] == "orders"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_gateway_configuration(tmp_path):
    # Service names resolve only in compose or the cluster: test on loopback.
    local = re.sub(
        r"server \w+:8000;", "server 127.0.0.1:8000;", NGINX_CONF.read_text()
    )
    config = tmp_path / "nginx.conf"
    config.write_text(local)

    result = run(["nginx", "-t", "-q", "-e", "/dev/stderr", "-c", config])

    assert result.returncode == 0, result.stderr
