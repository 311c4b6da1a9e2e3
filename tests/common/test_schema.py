"""The OpenAPI schema: valid, complete, and documenting the shared behaviour."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

# Served by drf-spectacular itself (SERVE_INCLUDE_SCHEMA = False).
NOT_IN_SCHEMA = {"/api/schema/", "/api/docs/"}
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_PARAM = re.compile(r"{[^}]+}")


def _segment(pattern) -> str:
    text = str(pattern.pattern)
    if not hasattr(pattern.pattern, "_route"):  # a regex (DRF routers)
        text = _NAMED_GROUP.sub(r"{\1}", text.lstrip("^").rstrip("$"))
    return _CONVERTER.sub(r"{\1}", text)


def api_routes(urlconf=None) -> set[str]:
    """Every concrete route of the URL conf under /api/, as an OpenAPI path."""
    found = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + _segment(pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "{format}" not in route:
                found.add("/" + route)

    walk(get_resolver(urlconf).url_patterns, "")
    return {r for r in found if r.startswith("/api/")} - NOT_IN_SCHEMA


def normalise(path: str) -> str:
    return _PARAM.sub("{}", path)


def schema_for(urlconf=None) -> dict:
    return SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)


@pytest.mark.django_db
def test_schema_endpoint_serves_a_valid_openapi_document(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")


@pytest.mark.django_db
def test_every_api_route_of_the_project_appears_in_the_schema():
    documented = {normalise(p) for p in schema_for()["paths"]}

    missing = {r for r in api_routes() if normalise(r) not in documented}

    assert missing == set()


def test_route_walker_sees_routes_and_notices_an_undocumented_one():
    routes = api_routes("tests.common.urls")
    documented = {normalise(p) for p in schema_for("tests.common.urls")["paths"]}

    assert {"/api/v1/orders/", "/api/v1/orders/{order_id}/pay/"} <= routes
    # A plain Django view under /api/ is not in the schema: the check catches it.
    assert {r for r in routes if normalise(r) not in documented} == {
        "/api/v1/probe/django-boom/",
        "/api/v1/probe/form/",
    }


def test_shared_behaviour_is_documented_on_views_that_declare_only_their_header():
    schema = schema_for("tests.common.urls")
    validate(schema)
    create = schema["paths"]["/api/v1/orders/"]["post"]
    pay = schema["paths"]["/api/v1/orders/{order_id}/pay/"]["post"]
    boom = schema["paths"]["/api/v1/probe/boom/"]["get"]

    for operation in (create, pay):
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert headers == ["Idempotency-Key"]
        assert {"400", "401", "403", "409", "422", "429", "500"} <= set(
            operation["responses"]
        )
    assert create["responses"]["422"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert create["responses"]["400"]["content"]["application/problem+json"] == {
        "schema": {"$ref": "#/components/schemas/ValidationProblem"}
    }
    assert "404" in pay["responses"] and "404" not in create["responses"]
    # Anonymous operation: no 401/403, no idempotency header.
    assert "401" not in boom["responses"]
    assert all(p.get("in") != "header" for p in boom.get("parameters", []))
    assert {"jwtAuth": []} in create["security"]
    jwt = schema["components"]["securitySchemes"]["jwtAuth"]
    assert jwt["scheme"] == "bearer"
    assert "Authorization: Bearer" in jwt["description"]


@pytest.mark.django_db
def test_docs_page_and_every_asset_it_loads_are_served_by_the_app(client):
    page = client.get("/api/docs/")
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)

    assert page.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert assets, "the docs page loads its scripts and styles"
    for url in assets:
        assert url.startswith("/"), f"{url} leaves the app"
        asset = client.get(url)
        assert asset.status_code == 200, url


@pytest.mark.django_db
def test_browsable_api_is_still_offered(customer, probe_urls, client):
    client.force_login(customer)

    response = client.get("/api/v1/orders/", HTTP_ACCEPT="text/html")

    assert response.status_code == 405  # POST only, shown with its form
    assert response["Content-Type"].startswith("text/html")
    assert b"Django REST framework" in response.content


def test_with_debug_off_and_no_finders_the_assets_come_from_collectstatic(
    settings, tmp_path
):
    """Production: gunicorn, DEBUG off, WhiteNoise serving STATIC_ROOT."""
    from django.core.management import call_command
    from django.test import Client

    asset = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = False
    settings.STATIC_ROOT = str(tmp_path)
    before = Client().get(asset)

    call_command("collectstatic", interactive=False, verbosity=0)
    after = Client().get(asset)

    assert before.status_code == 404
    assert after.status_code == 200
    assert after["Content-Type"].startswith("text/javascript")


def test_boolean_filters_are_documented_as_plain_booleans(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    listing = schema["paths"]["/api/v1/catalog/products/"]["get"]
    parameters = {p["name"]: p["schema"] for p in listing["parameters"]}

    assert parameters["in_stock"] == {"type": "boolean"}
    assert parameters["is_active"] == {"type": "boolean"}
    assert "-name" in parameters["ordering"]["enum"]


def test_a_staff_or_read_only_listing_documents_anonymous_reads(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    products = schema["paths"]["/api/v1/catalog/products/"]

    assert {} in products["get"]["security"]
    assert {} not in products["post"]["security"]


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _has_example(part: dict) -> bool:
    return any("examples" in media for media in part.get("content", {}).values())


def test_every_operation_explains_itself(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    apps = {"users", "catalog", "inventory", "orders"}
    problems = []
    for name, operation in _operations(schema):
        if not operation.get("summary") or not operation.get("description"):
            problems.append(f"{name}: no summary or description")
        if len(operation.get("tags", [])) != 1 or operation["tags"][0] not in apps:
            problems.append(f"{name}: tags {operation.get('tags')}, not its app")
        if "requestBody" in operation and not _has_example(operation["requestBody"]):
            problems.append(f"{name}: no request example")
        success = [r for s, r in operation["responses"].items() if s.startswith("2")]
        if any("content" in r and not _has_example(r) for r in success):
            problems.append(f"{name}: no response example")
        if not operation["operationId"].startswith(f"{operation['tags'][0]}_"):
            problems.append(f"{name}: operation id {operation['operationId']}")

    assert problems == []
