import logging
import re
import time
from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.urls import is_valid_path

from apps.common import context, error_views, metrics

access_logger = logging.getLogger("shop.access")

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a caller's id only if it is short and plain, so it is safe in logs.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class CorrelationIdMiddleware:
    """Takes X-Request-ID (or makes one), returns it, and makes it the
    correlation id of everything the request does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SAFE_ID.match(incoming) else context.new_id()
        request.request_id = request_id
        with context.flow(correlation=request_id):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class AccessLogMiddleware:
    """One access line and the request metrics per request; exposes the request
    to the logging filter so every line it causes carries its ids."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.current_request.set(request)
        queries = QueryCounter()
        started = time.perf_counter()
        try:
            with ExitStack() as stack:
                for alias in connections:
                    stack.enter_context(connections[alias].execute_wrapper(queries))
                response = self.get_response(request)
            duration = time.perf_counter() - started
            route = _route_of(request)
            status = str(response.status_code)
            metrics.HTTP_REQUESTS.labels(request.method, route, status).inc()
            metrics.HTTP_LATENCY.labels(request.method, route, status).observe(duration)
            metrics.HTTP_DB_QUERIES.labels(route).observe(queries.count)
            access_logger.info(
                "%s %s %s %.1fms",
                request.method,
                route,
                status,
                duration * 1000,
                extra={
                    "method": request.method,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 1),
                    "db_queries": queries.count,
                },
            )
            return response
        finally:
            context.current_request.reset(token)


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _route_of(request) -> str:
    """The URL pattern, not the path: bounded label values, no ids in metrics."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.route is None:
        return "<unmatched>"
    return "/" + match.route


class ApiProblemNotFoundMiddleware:
    """With DEBUG on, Django answers an unknown URL with its HTML debug page;
    under /api/ clients get the same problem body as in production instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith(error_views.API_PREFIX)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return error_views.page_not_found(request)
        return response


class ContentSecurityPolicyMiddleware:
    """Sends CONTENT_SECURITY_POLICY with every HTML page (the admin, the API
    docs, the browsable API), so an injected script or a foreign asset does
    not run there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        html = response.get("Content-Type", "").startswith("text/html")
        if policy and html and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class ApiSlashMiddleware:
    """Under /api/ a path without its trailing slash is served as if it had one:
    a redirect would turn a client's POST into a GET (and DEBUG raises)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path, urlconf = request.path_info, getattr(request, "urlconf", None)
        if (
            path.startswith(error_views.API_PREFIX)
            and not path.endswith("/")
            and not is_valid_path(path, urlconf)
            and is_valid_path(path + "/", urlconf)
        ):
            request.path_info = path + "/"
            request.path = request.path + "/"
        return self.get_response(request)
