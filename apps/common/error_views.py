"""Django's own error views, as problem details under /api/ (RFC 9457).

DRF views already answer problems through the exception handler; these cover
what happens outside DRF: an unknown URL, an uncaught exception, a refused
CSRF check, a disallowed host. Elsewhere Django's HTML pages stay.
"""

from django.http import JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from apps.common.errors import PROBLEM_CONTENT_TYPE, problem, status_title

API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _problem(status: int, *, detail: str, code: str, **extra) -> JsonResponse:
    body = problem(
        status, title=status_title(status), detail=detail, code=code, **extra
    )
    # Compact, as DRF's renderer writes the problems of the API views.
    return JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"separators": (",", ":")},
    )


def bad_request(request, exception=None):
    if _is_api(request):
        # Every 400 of the API is a validation problem (schema).
        return _problem(
            400,
            detail="Bad request.",
            code="bad_request",
            errors={"non_field_errors": ["The request could not be read."]},
        )
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return _problem(
            403,
            detail="You do not have permission to perform this action.",
            code="permission_denied",
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        # Never echo the path or the resolver's patterns back.
        return _problem(404, detail="Not found.", code="not_found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _problem(
            500,
            detail="The server failed to process the request; it has been logged.",
            code="server_error",
        )
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    if _is_api(request):
        return _problem(
            403,
            detail="CSRF verification failed.",
            code="csrf_failed",
        )
    return django_csrf_failure(request, reason=reason)
