"""Interface functions that run where their app is hosted (docs/architecture.md).

Every public function of an app's interface.py carries `@interface_function`:
called in a process that hosts the app (settings.DOMAIN_APPS) it runs here;
anywhere else it is sent, with the same arguments, result and exceptions, to
the deployable at settings.SERVICE_URLS[app], which serves it under
/internal/v1/<app>/<function>/. Callers cannot tell the two apart.

settings.INTERFACE_TRANSPORT names the callable that answers calls to apps not
hosted here (`client.call`, HTTP); it is the one seam for tests of an app
alone, whose settings point it at fakes of the other apps (tests/fakes/).

An interface.py imports at module level only the standard library, the kernel's
public modules and contracts, so it also loads where its app is not installed;
its app's private modules are imported inside the function bodies.
"""

import functools
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.utils.module_loading import import_string

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class InterfaceFunction:
    app: str
    body: Callable
    idempotent: bool


_registered: dict[tuple[str, str], InterfaceFunction] = {}


def interface_function(*, idempotent: bool) -> Callable[[F], F]:
    """Mark a public interface function; `idempotent` (a read, or a write
    that is safe to repeat) lets a failed remote call be retried."""

    def decorate(body: F) -> F:
        app = owning_app(module=body.__module__)
        target = InterfaceFunction(app=app, body=body, idempotent=idempotent)
        _registered[(app, body.__name__)] = target
        signature = inspect.signature(body)

        @functools.wraps(body)
        def call(**kwargs):
            if app in settings.DOMAIN_APPS:
                return body(**kwargs)
            signature.bind(**kwargs)  # the same TypeError as a local call
            return transport()(app=app, func=body, idempotent=idempotent, kwargs=kwargs)

        return call

    return decorate


def transport() -> Callable[..., object]:
    """The callable answering calls to apps not hosted here, called as
    `(app=, func=, idempotent=, kwargs=)` (settings.INTERFACE_TRANSPORT)."""
    return import_string(settings.INTERFACE_TRANSPORT)


def owning_app(*, module: str) -> str:
    """`apps.<app>.interface` -> `<app>`."""
    package, app, name = module.split(".")
    if (package, name) != ("apps", "interface"):
        raise TypeError(f"{module} is not an app's interface module")
    return app


def registered(*, app: str, name: str) -> InterfaceFunction | None:
    """The interface function `name` of `app`, loading its interface module."""
    importlib.import_module(f"apps.{app}.interface")
    return _registered.get((app, name))
