"""Per-flow context (correlation and causation ids) carried by contextvars.

Set by the HTTP middleware for a request and by the event consumer for a
handler, read by the event bus when it builds an envelope and by logging.
"""

import contextlib
import logging
import uuid
from contextvars import ContextVar

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


def new_id() -> str:
    return str(uuid.uuid4())


@contextlib.contextmanager
def flow(*, correlation: str | None, causation: str | None = None):
    """Run a block as part of the flow `correlation`, caused by `causation`."""
    tokens = (correlation_id.set(correlation), causation_id.set(causation))
    try:
        yield
    finally:
        correlation_id.reset(tokens[0])
        causation_id.reset(tokens[1])


class CorrelationFilter(logging.Filter):
    """Adds `correlation_id` and `causation_id` to every log record, so a
    request's and its handlers' lines can be followed (LOGGING in settings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get() or "-"
        record.causation_id = causation_id.get() or "-"
        return True
