"""Domain errors and their one mapping to RFC 9457 problem details."""

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from apps.common.parsers import PayloadTooLarge

logger = logging.getLogger(__name__)
PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApplicationError(Exception):
    """Base of every domain error; `code` is stable and snake_case."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "application_error"
    title = "Request could not be processed"

    def __init__(self, detail: str | None = None, *, extra: dict | None = None):
        self.detail = detail or self.title
        self.extra = extra or {}
        super().__init__(self.detail)


# The one wording of every validation problem, whichever layer found it.
VALIDATION_TITLE = "Invalid input"
VALIDATION_DETAIL = "One or more fields are invalid."


class ValidationFailed(ApplicationError):
    code = "validation_error"
    title = VALIDATION_TITLE

    def __init__(self, errors: dict):
        super().__init__(VALIDATION_DETAIL, extra={"errors": errors})


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    title = "Not found"


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    title = "Conflict"


class UnprocessableEntity(ApplicationError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "unprocessable"
    title = "Unprocessable request"


class ServiceUnavailable(ApplicationError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "service_unavailable"
    title = "Service temporarily unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"
    title = "Database temporarily unavailable"


class ContractMismatch(ApplicationError):
    """Another deployable's answer or call does not fit this one's contracts."""

    status_code = status.HTTP_502_BAD_GATEWAY
    code = "contract_mismatch"
    title = "Contract mismatch between services"


class CacheUnavailable(ServiceUnavailable):
    code = "cache_unavailable"
    title = "Cache temporarily unavailable"


def status_title(status_code: int) -> str:
    """The one title of a status without a domain error of its own: "Not found"."""
    return HTTPStatus(status_code).phrase.capitalize()


def problem(status_code: int, *, title: str, detail: str, code: str, **extra) -> dict:
    body = {
        "type": f"https://errors.shop.example/{code}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return body


def problem_response(
    status_code: int, body: dict, headers: dict | None = None
) -> Response:
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _field_errors(detail) -> dict | list:
    """DRF's nested ValidationError detail as plain lists of messages per field."""
    if isinstance(detail, dict):
        return {key: _field_errors(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_field_errors(item) for item in detail]
    return str(detail)


def _detail_and_code(exc) -> tuple[str, str]:
    """A readable message and a stable code, also for exceptions whose detail is
    a dict (simplejwt's InvalidToken: {"detail": ..., "code": "token_not_valid"})."""
    if not isinstance(exc, drf_exceptions.APIException):
        return str(exc), "error"
    detail, codes = exc.detail, exc.get_codes()
    if isinstance(detail, dict):
        message = detail.get("detail", "")
        code = detail.get(
            "code", codes.get("detail") if isinstance(codes, dict) else ""
        )
        return str(message), str(code or "error")
    return str(detail), codes if isinstance(codes, str) else "error"


def problem_exception_handler(exc, context):
    response = _problem_for(exc, context)
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if response is not None and getattr(renderer, "format", None) == "api":
        response.content_type = None  # the browsable API shows it as HTML
    return response


def _problem_for(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is away (restart, failover): a retryable 503, no traceback.
        logger.warning("database unavailable: %s", exc)
        exc = DatabaseUnavailable(
            "Try again in a few seconds.", extra={"retry_after": 5}
        )
    elif isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
        # The cache's Redis (throttles, circuit breaker) is away: the same.
        logger.warning("cache unavailable: %s", exc)
        exc = CacheUnavailable("Try again in a few seconds.", extra={"retry_after": 5})
    if isinstance(exc, ApplicationError):
        body = problem(
            exc.status_code,
            title=exc.title,
            detail=exc.detail,
            code=exc.code,
            **exc.extra,
        )
        headers = (
            {"Retry-After": str(exc.extra["retry_after"])}
            if "retry_after" in exc.extra
            else None
        )
        return problem_response(exc.status_code, body, headers)

    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django's own limit, met where a view read the raw body first.
        exc = PayloadTooLarge()

    response = exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django's 500 handling (problem body under /api/)

    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors}
        body = problem(
            response.status_code,
            title=VALIDATION_TITLE,
            detail=VALIDATION_DETAIL,
            code="validation_error",
            errors=errors,
        )
    else:
        detail, code = _detail_and_code(exc)
        body = problem(
            response.status_code,
            title=status_title(response.status_code),
            detail=detail,
            code=code,
        )
        if isinstance(exc, drf_exceptions.ParseError):
            # Every 400 is a validation problem (schema): the body is the field.
            body["title"] = VALIDATION_TITLE
            body["errors"] = {"non_field_errors": [str(detail)]}
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
