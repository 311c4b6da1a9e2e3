"""Sending an interface call to the deployable that hosts its app: signed JSON
over one pooled HTTP session per target, with connect and read timeouts,
retries with backoff for idempotent calls only, and one circuit breaker per
target. A call the target cannot answer raises ServiceUnavailable (a 503
problem with Retry-After at the edge)."""

import json
import threading
from collections.abc import Callable

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from apps.common.breaker import CircuitBreaker, CircuitOpen
from apps.common.errors import ContractMismatch, ServiceUnavailable
from apps.common.remote import codec, signing, wire

INTERNAL_PREFIX = "/internal/v1"
_sessions: dict[str, requests.Session] = {}
_sessions_lock = threading.Lock()


class _Unreachable(Exception):
    """No answer from the target: refused, timed out, or a 5xx."""


def path_of(*, app: str, name: str) -> str:
    return f"{INTERNAL_PREFIX}/{app}/{name}/"


def session_for(*, app: str) -> requests.Session:
    """The pooled session of calls to `app` (one per target and process)."""
    with _sessions_lock:
        if app not in _sessions:
            _sessions[app] = requests.Session()
        return _sessions[app]


def close_sessions() -> None:
    with _sessions_lock:
        while _sessions:
            _sessions.popitem()[1].close()


def breaker_for(*, app: str) -> CircuitBreaker:
    return CircuitBreaker(
        target=f"service-{app}",
        failure_threshold=settings.SERVICE_BREAKER_THRESHOLD,
        open_seconds=settings.SERVICE_BREAKER_SECONDS,
    )


def call(*, app: str, func: Callable, idempotent: bool, kwargs: dict) -> object:
    """`func(**kwargs)` answered by the deployable hosting `app`."""
    body = json.dumps(codec.encode(kwargs)).encode()
    retrying = Retrying(
        retry=retry_if_exception_type(_Unreachable),
        stop=stop_after_attempt(settings.SERVICE_RETRY_ATTEMPTS if idempotent else 1),
        wait=wait_exponential(multiplier=settings.SERVICE_RETRY_BACKOFF_SECONDS),
        reraise=True,
    )
    breaker = breaker_for(app=app)

    def attempt() -> requests.Response:
        with breaker.guard(counts_as_failure=lambda exc: isinstance(exc, _Unreachable)):
            return _post(app=app, name=func.__name__, body=body)

    try:
        response = retrying(attempt)
    except CircuitOpen as exc:
        raise _unavailable(app, retry_after=exc.retry_after) from exc
    except _Unreachable as exc:
        raise _unavailable(app, retry_after=1) from exc
    return _answer(response, app=app, func=func)


def _post(*, app: str, name: str, body: bytes) -> requests.Response:
    path = path_of(app=app, name=name)
    headers = {
        "Content-Type": "application/json",
        **signing.signed_headers(method="POST", path=path, body=body),
    }
    try:
        response = session_for(app=app).post(
            _base_url(app) + path,
            data=body,
            headers=headers,
            timeout=(
                settings.SERVICE_CONNECT_TIMEOUT_SECONDS,
                settings.SERVICE_READ_TIMEOUT_SECONDS,
            ),
        )
    except requests.RequestException as exc:
        raise _Unreachable(str(exc)) from exc
    if response.status_code >= 500:
        raise _Unreachable(f"{response.status_code} from {path}")
    return response


def _answer(response: requests.Response, *, app: str, func: Callable) -> object:
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code == 200 and isinstance(data, dict) and "result" in data:
        hint = codec.type_hints(func)["return"]
        return codec.decode(data["result"], hint, where=f"{app}.{func.__name__} ->")
    if isinstance(data, dict) and "exception" in data:
        raise wire.exception_from(data, app=app)
    if response.status_code == 404:
        raise ContractMismatch(f"{app} has no interface function {func.__name__}")
    raise _unavailable(app, retry_after=1)


def _unavailable(app: str, *, retry_after: int) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"The {app} service is unavailable; try again shortly.",
        extra={"retry_after": retry_after},
    )


def _base_url(app: str) -> str:
    try:
        return settings.SERVICE_URLS[app].rstrip("/")
    except KeyError:
        raise ImproperlyConfigured(
            f"{app} is not hosted here and SERVICE_URL_{app.upper()} is not set"
        ) from None
