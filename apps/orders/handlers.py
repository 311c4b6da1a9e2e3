"""Consumers of other apps' events (private)."""


def register() -> None:
    """Subscribe this app's handlers to the event bus."""
