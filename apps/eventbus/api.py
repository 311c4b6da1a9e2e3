"""The kernel's public face for apps: publish events, subscribe handlers."""

from apps.common import context
from apps.eventbus.envelope import EventMeta
from apps.eventbus.outbox import publish, publish_many
from apps.eventbus.registry import subscribe

__all__ = [
    "EventMeta",
    "in_event_handler",
    "publish",
    "publish_many",
    "subscribe",
]


def in_event_handler() -> bool:
    """Whether this code runs inside a handler of an event (in a worker, or
    in-process in the embedded mode), not straight from a web request."""
    return context.current_event.get() is not None
