"""Documentation every operation shares, added once to the generated schema.

App engineers do not decorate their views for these: a drf-spectacular
postprocessing hook adds, to every operation under /api/,
- the problem-details error bodies (RFC 9457) for the statuses it can answer,
- the bearer-token description of the JWT security scheme,
- 409 and 422 on the operations that declare an `Idempotency-Key` header.
"""

import inspect

from drf_spectacular.openapi import AutoSchema as _AutoSchema
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework.permissions import SAFE_METHODS

from apps.common.problem_codes import raisable_errors

IDEMPOTENCY_HEADER = "idempotency-key"
_WRITE_METHODS = {"post", "put", "patch"}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable snake_case error code."},
    },
    "required": ["type", "title", "status", "detail", "code"],
}
VALIDATION_PROBLEM_SCHEMA = {
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "object",
                    "description": "Messages per field (nested for nested input).",
                    "additionalProperties": {},
                }
            },
            "required": ["errors"],
        },
    ]
}
JWT_DESCRIPTION = (
    "`Authorization: Bearer <access>`, the access token from "
    "POST /api/v1/auth/token/ (refresh it at /api/v1/auth/token/refresh/)."
)


def example(*, name: str, value: dict, request: bool, status: int | None = None):
    """A serializer decorator: one example of a request body (`request`) or of
    a response (of `status`; default 200 and 201), shown on every operation
    that uses the serializer."""
    kind = {"request_only": True} if request else {"response_only": True}
    if status is not None:
        kind["status_codes"] = [str(status)]
    return extend_schema_serializer(
        examples=[OpenApiExample(name, value=value, **kind)]
    )


class AutoSchema(_AutoSchema):
    """drf-spectacular's, with: the handler's docstring as summary (first line)
    and description (the rest), the app as tag, the domain errors' problem
    codes, and anonymous reads where a permission allows them (it knows only
    DRF's own AllowAny and IsAuthenticatedOrReadOnly)."""

    def _docstring_parts(self) -> tuple[str, str]:
        handler = getattr(type(self.view), self.method.lower(), None)
        summary, _, rest = inspect.cleandoc(handler.__doc__ or "").partition("\n\n")
        return summary.rstrip("."), " ".join(rest.split())

    def get_summary(self) -> str | None:
        return self._docstring_parts()[0] or None

    def get_description(self) -> str:
        return self._docstring_parts()[1]

    def get_tags(self) -> list[str]:
        return [self._app()]

    def get_operation_id(self) -> str:
        # Every id starts with its app, as its tag does (auth ids too).
        operation_id = super().get_operation_id()
        prefix = f"{self._app()}_"
        return (
            operation_id if operation_id.startswith(prefix) else prefix + operation_id
        )

    def _app(self) -> str:
        # apps.<app>.api.views: auth is tagged with the app that serves it.
        return type(self.view).__module__.split(".")[1]

    def get_auth(self) -> list[dict]:
        auths = super().get_auth()
        anonymous = self.method in SAFE_METHODS and any(
            getattr(permission, "allows_anonymous_reads", False)
            for permission in self.view.get_permissions()
        )
        if anonymous and {} not in auths:
            auths.append({})
        return auths

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            for status, codes in self._problem_codes().items():
                response = _problem(
                    f"Problem codes: {', '.join(codes)}.",
                    "ValidationProblem" if status == "400" else "Problem",
                )
                response["x-problem-codes"] = codes
                operation["responses"][status] = response
        return operation

    def _problem_codes(self) -> dict[str, list[str]]:
        """Status -> codes of the domain errors this operation's code raises."""
        handler = getattr(type(self.view), self.method.lower(), None)
        codes: dict[str, set[str]] = {}
        for error in raisable_errors(handler, owner=type(self.view)):
            codes.setdefault(str(error.status_code), set()).add(error.code)
        return {status: sorted(found) for status, found in sorted(codes.items())}


def _problem(description: str, schema: str = "Problem") -> dict:
    return {
        "description": description,
        "content": {
            "application/problem+json": {
                "schema": {"$ref": f"#/components/schemas/{schema}"}
            }
        },
    }


def _anonymous_allowed(operation: dict) -> bool:
    security = operation.get("security")
    return not security or {} in security


def _declares_idempotency_key(operation: dict) -> bool:
    return any(
        p.get("in") == "header" and p.get("name", "").lower() == IDEMPOTENCY_HEADER
        for p in operation.get("parameters", [])
    )


def _error_responses(path: str, method: str, operation: dict) -> dict:
    errors = {}
    has_input = method in _WRITE_METHODS or any(
        p.get("in") == "query" for p in operation.get("parameters", [])
    )
    if has_input:
        errors["400"] = _problem("Invalid input.", "ValidationProblem")
    if not _anonymous_allowed(operation):
        errors["401"] = _problem("Missing, invalid or expired access token.")
        errors["403"] = _problem("Authenticated but not allowed.")
    if "{" in path:
        errors["404"] = _problem("No such resource (or not yours).")
    if _declares_idempotency_key(operation):
        errors["409"] = _problem(
            "Conflict: an illegal state change, or the same Idempotency-Key "
            "still in flight."
        )
        errors["422"] = _problem("The Idempotency-Key was used with another body.")
    elif method in _WRITE_METHODS and "{" in path:
        errors["409"] = _problem("Conflict: an illegal state change.")
    errors["429"] = _problem("Too many requests; see Retry-After.")
    errors["500"] = _problem("Unexpected server error (no details leave the server).")
    return errors


def _document_empty_filters(operation: dict) -> None:
    # django-filter treats `?status=` as "not given", as HTML forms send it.
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("name") not in (
            "page",
            "page_size",
        ):
            parameter.setdefault("allowEmptyValue", True)


def document_shared_behaviour(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS)."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.setdefault("Problem", PROBLEM_SCHEMA)
    schemas.setdefault("ValidationProblem", VALIDATION_PROBLEM_SCHEMA)
    for scheme in components.get("securitySchemes", {}).values():
        if scheme.get("scheme") == "bearer":
            scheme.setdefault("description", JWT_DESCRIPTION)

    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in _error_responses(path, method, operation).items():
                responses.setdefault(status, response)
            if method == "get":
                _document_empty_filters(operation)
    return result
