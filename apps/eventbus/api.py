"""The kernel's public face for apps: publish events, subscribe handlers."""

from apps.eventbus.envelope import EventMeta
from apps.eventbus.outbox import publish
from apps.eventbus.registry import subscribe

__all__ = ["EventMeta", "publish", "subscribe"]
