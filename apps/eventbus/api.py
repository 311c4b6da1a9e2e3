"""The kernel's public face for apps: publish events, subscribe handlers."""

from apps.eventbus.envelope import EventMeta
from apps.eventbus.outbox import publish, publish_many
from apps.eventbus.registry import subscribe

__all__ = [
    "EventMeta",
    "publish",
    "publish_many",
    "subscribe",
]
