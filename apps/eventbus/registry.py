"""Who consumes what. Each app declares the event types it consumes in
settings.EVENT_SUBSCRIPTIONS, so every process knows the subscribers hosted by
other deployables; a hosted app registers its handlers here from its own
`ready()`, and a system check holds the two equal. The bus routes by this
table and never imports consumer code."""

import importlib
from collections import defaultdict
from collections.abc import Callable

from django.apps import apps as django_apps
from django.conf import settings
from django.core import checks

from apps.eventbus.schema import Event

Handler = Callable[[Event, "EventMeta"], None]  # noqa: F821 - EventMeta in envelope

_handlers: dict[str, dict[str, Handler]] = defaultdict(
    dict
)  # event_type -> consumer -> handler


class UnknownEventType(LookupError):
    pass


def subscribe(consumer: str, event_class: type[Event], handler: Handler) -> None:
    """Declare that app `consumer` applies `event_class` with `handler`."""
    _handlers[event_class.event_type][consumer] = handler


def consumers_of(event_type: str) -> list[str]:
    """The hosted apps handling `event_type` here and the apps hosted elsewhere
    that declare it (their queue is served by their own deployable's worker)."""
    remote = {
        app
        for app, event_types in settings.EVENT_SUBSCRIPTIONS.items()
        if app not in settings.DOMAIN_APPS and event_type in event_types
    }
    return sorted(remote.union(_handlers.get(event_type, {})))


def hosted_consumers_of(event_type: str) -> set[str]:
    """The apps hosted in this process that handle `event_type`."""
    return set(_handlers.get(event_type, {}))


@checks.register()
def check_subscriptions_match_handlers(**kwargs) -> list[checks.Error]:
    """A hosted app handles exactly the event types it declares."""
    return [
        checks.Error(
            f"{app} declares {sorted(declared)} in EVENT_SUBSCRIPTIONS but "
            f"handles {sorted(handled)}",
            id="eventbus.E001",
        )
        for app in settings.DOMAIN_APPS
        if (declared := set(settings.EVENT_SUBSCRIPTIONS.get(app, ())))
        != (handled := {t for t, consumers in _handlers.items() if app in consumers})
    ]


def handler_for(consumer: str, event_type: str) -> Handler:
    try:
        return _handlers[event_type][consumer]
    except KeyError:
        raise UnknownEventType(f"{consumer} has no handler for {event_type}") from None


_known_classes: dict[str, type[Event]] = {}


def event_class(event_type: str) -> type[Event]:
    # On every delivery: look up a cached map, rebuilt only on a miss (a class
    # defined after the first lookup is still found).
    if event_type not in _known_classes:
        _known_classes.update(_event_classes())
    if event_type not in _known_classes:
        raise UnknownEventType(f"unknown event type or version: {event_type}")
    return _known_classes[event_type]


def all_event_classes() -> list[type[Event]]:
    return list(_event_classes().values())


def _event_classes() -> dict[str, type[Event]]:
    # Each app's public events module, loaded by name so that the kernel has
    # no import of any domain app.
    for config in django_apps.get_app_configs():
        if config.name.startswith("apps."):
            try:
                importlib.import_module(f"{config.name}.events")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.events":
                    raise
    found = {}
    stack = list(Event.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if "event_type" in cls.__dict__:
            found[cls.event_type] = cls
    return found
