"""Log records that carry their request or event, and never a secret.

`ContextFilter` stamps every record with the request id, correlation id and
user id of the request being served, and the event id, type and consumer of
the handler being run. `RedactingFilter` masks passwords, tokens and
Authorization values that slipped into a message. Both are attached to the
console handler in settings.LOGGING, so third-party loggers get them too.
"""

import logging
import re

import pythonjsonlogger.json
from django.utils.functional import SimpleLazyObject, empty

from apps.common import context

CONTEXT_FIELDS = (
    "request_id",
    "correlation_id",
    "user_id",
    "event_id",
    "event_type",
    "consumer",
)


def _user_id(request) -> str | None:
    # DRF stores the authenticated user on the Django request; a lazy user the
    # session middleware set but nobody read yet is not resolved here (a log
    # line must never run a query).
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            return None
        user = user._wrapped
    if not getattr(user, "is_authenticated", False):
        return None
    return str(user.pk)


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = context.current_request.get()
        correlation = context.correlation_id.get()
        if request is None:
            # django.request logs 4xx/5xx after the middleware has finished,
            # with the request attached to the record.
            request = getattr(record, "request", None)
            correlation = correlation or getattr(request, "request_id", None)
        event = context.current_event.get() or {}
        values = {
            "request_id": getattr(request, "request_id", None),
            "correlation_id": correlation,
            "user_id": _user_id(request) if request is not None else None,
            **event,
        }
        for field in CONTEXT_FIELDS:
            if not hasattr(record, field):
                setattr(record, field, values.get(field) or "-")
        return True


_SECRET_KEYS = r"password|passwd|secret|token|access|refresh|authorization|api[_-]?key"
_PATTERNS = [
    # "password": "x", 'refresh': 'x', password=x
    (
        re.compile(
            rf"""(?i)(["']?(?:\w*(?:{_SECRET_KEYS})\w*)["']?\s*[:=]\s*)((?:bearer\s+|basic\s+)?(?:"[^"]*"|'[^']*'|[^\s,;&}}]+))"""
        ),
        r"\1[REDACTED]",
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [REDACTED]"),
    # a bare JWT anywhere
    (
        re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"),
        "[REDACTED]",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in the final message (arguments already merged in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(pythonjsonlogger.json.JsonFormatter):
    """JSON lines whose extra fields are redacted too; Django's `request`
    object becomes its method and path (never the query string)."""

    def process_log_record(self, log_data):
        request = log_data.pop("request", None)
        if request is not None and hasattr(request, "path"):
            log_data.setdefault("method", request.method)
            log_data.setdefault("path", request.path)
        for key, value in log_data.items():
            if isinstance(value, str) and key != "message":
                log_data[key] = redact(value)
        return super().process_log_record(log_data)
