"""Per-flow context (correlation and causation ids) carried by contextvars.

Set by the HTTP middleware for a request and by the event consumer for a
handler, read by the event bus when it builds an envelope and by logging.
"""

import contextlib
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


# Set by the access-log middleware for a request and by the event consumer for
# a handler; read by the logging filter (apps.common.logging).
current_request = ContextVar("current_request", default=None)
current_event: ContextVar[dict | None] = ContextVar("current_event", default=None)


@contextlib.contextmanager
def handling(*, event_id: str, event_type: str, consumer: str):
    """Mark a block as the handling of one event by one consumer (for logs)."""
    token = current_event.set(
        {"event_id": event_id, "event_type": event_type, "consumer": consumer}
    )
    try:
        yield
    finally:
        current_event.reset(token)
