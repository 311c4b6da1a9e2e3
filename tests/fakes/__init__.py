"""Fakes of the apps' public interfaces, for the tests of one app alone.

settings.INTERFACE_TRANSPORT (config/settings/test.py) points at `call`: a
call to an app not hosted here goes to that app's installed fake, through the
codec as on the wire (plain data in, the interface's contract types out), or,
with no fake installed, to the HTTP client. Each fake has exactly its app's
interface functions (tests/architecture/test_fakes.py) and answers what its test
stated (`fake_catalog.product_add(...)`, tests/conftest.py). Events for an
app not hosted here are applied by its fake consumer, which keeps them
(`received(app=...)`), as that app's deployable would take them off its queue.
"""

import importlib
import json
from collections.abc import Callable

from django.conf import settings

from apps.common.remote import client, codec
from apps.eventbus import registry
from apps.eventbus.api import EventMeta, subscribe
from apps.eventbus.schema import Event

_installed: dict[str, object] = {}
_received: dict[str, list[Event]] = {}


def install(*, app: str, fake: object) -> None:
    _installed[app] = fake
    _received[app] = []


def uninstall(*, app: str) -> None:
    _installed.pop(app, None)
    _received.pop(app, None)


def received(*, app: str) -> list[Event]:
    """The events the fake of `app` consumed during this test, in order."""
    return _received[app]


def subscribe_consumers(*, apps: list[str]) -> None:
    """Each of `apps` consumes the event types it declares (settings.
    EVENT_SUBSCRIPTIONS) through its fake."""
    for app in apps:
        for event_type in settings.EVENT_SUBSCRIPTIONS[app]:
            producer = event_type.partition(".")[0]
            importlib.import_module(f"apps.{producer}.events")
            subscribe(app, registry.event_class(event_type), _consumer_of(app))


def _consumer_of(app: str):
    def consume(event: Event, meta: EventMeta) -> None:
        _received[app].append(event)

    return consume


def call(*, app: str, func: Callable, idempotent: bool, kwargs: dict) -> object:
    """The INTERFACE_TRANSPORT of the test settings."""
    fake = _installed.get(app)
    if fake is None:
        return client.call(app=app, func=func, idempotent=idempotent, kwargs=kwargs)
    where = f"{app}.{func.__name__}"
    sent = json.loads(json.dumps(codec.encode(kwargs)))
    result = getattr(fake, func.__name__)(
        **codec.decode_kwargs(sent, func, where=where)
    )
    answer = json.loads(json.dumps(codec.encode(result)))
    return codec.decode(answer, codec.type_hints(func)["return"], where=f"{where} ->")


def installed(*, app: str):
    return _installed[app]


def installed_apps() -> list[str]:
    return list(_installed)


# Imported last: each fake module imports only contracts and the kernel.
from tests.fakes.catalog import FakeCatalog  # noqa: E402
from tests.fakes.inventory import FakeInventory  # noqa: E402
from tests.fakes.orders import FakeOrders  # noqa: E402
from tests.fakes.users import FakeUsers  # noqa: E402

FAKES = {
    "users": FakeUsers,
    "catalog": FakeCatalog,
    "inventory": FakeInventory,
    "orders": FakeOrders,
}
