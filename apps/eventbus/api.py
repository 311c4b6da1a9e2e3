"""The kernel's public face for apps: publish events, subscribe handlers."""

from apps.eventbus.envelope import EventMeta
from apps.eventbus.outbox import (
    dispatch_on_commit,
    outbox_row,
    publish,
    publish_many,
)
from apps.eventbus.registry import subscribe

__all__ = [
    "EventMeta",
    "dispatch_on_commit",
    "outbox_row",
    "publish",
    "publish_many",
    "subscribe",
]
