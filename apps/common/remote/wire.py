"""Public exceptions on the wire: the serving side names the nearest public
class of what the function raised (one of the owner's contracts or a kernel
error) with its detail; the calling side raises that class again. Anything
else raised is a fault of the target, not an answer."""

import importlib

from apps.common import errors
from apps.common.errors import ApplicationError, ContractMismatch


def public_class(exc: Exception, *, app: str) -> type[Exception] | None:
    modules = {_contracts_module(app), errors.__name__}
    for cls in type(exc).__mro__:
        if cls.__module__ in modules and issubclass(cls, Exception):
            return cls
    return None


def exception_body(exc: Exception, cls: type[Exception]) -> dict:
    body = {"exception": cls.__name__, "args": [str(arg) for arg in exc.args]}
    if isinstance(exc, ApplicationError):
        body.update(
            status=exc.status_code,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            extra=exc.extra,
        )
    return body


def exception_from(body: dict, *, app: str) -> Exception:
    cls = _resolve(str(body["exception"]), app=app)
    if not issubclass(cls, ApplicationError):
        return cls(*body.get("args", []))
    # Rebuilt through the base initialiser: subclasses differ only in how they
    # fill detail and extra, which arrive filled.
    exc = cls.__new__(cls)
    ApplicationError.__init__(exc, body.get("detail"), extra=body.get("extra") or {})
    exc.status_code, exc.code = body["status"], body["code"]
    exc.title = body["title"]
    return exc


def _resolve(name: str, *, app: str) -> type[Exception]:
    for module_name in (_contracts_module(app), errors.__name__):
        cls = getattr(importlib.import_module(module_name), name, None)
        if isinstance(cls, type) and issubclass(cls, Exception):
            return cls
    raise ContractMismatch(f"{app} raised {name}, which is no public exception")


def _contracts_module(app: str) -> str:
    return f"apps.{app}.contracts"
