"""Every public function of an app's interface.py takes keyword arguments only and
exchanges plain data, so a call can cross a process boundary as JSON.

Plain data is:
- JSON's own scalars: str, int, float, bool, None;
- scalars sent as strings: uuid.UUID (its canonical form), decimal.Decimal
  (its exact digits), datetime.datetime and datetime.date (ISO 8601);
- list[X] and tuple[X, ...] (JSON arrays), dict[K, X] with K str or UUID (JSON
  objects, keys as strings), and unions of plain data;
- a frozen dataclass from an app's contracts.py whose fields are plain data
  (a JSON object), the way apps.eventbus.schema maps events.
Anything else fails: models, querysets, Any, iterables of unknown shape,
positional parameters, missing type hints.
"""

import ast
import dataclasses
import datetime as dt
import decimal
import importlib
import inspect
import sys
import types
import typing
import uuid
from collections.abc import Callable, Iterable

import pytest
from django.conf import settings
from django.db.models import QuerySet

from apps.common.remote import registered
from apps.users.models import User
from tests.architecture.conftest import ROOT

SCALARS = (str, int, float, bool, type(None), uuid.UUID, decimal.Decimal)
SCALARS += (dt.datetime, dt.date)
KEYS = (str, uuid.UUID)


def public_functions(app: str) -> list[Callable]:
    module = importlib.import_module(f"apps.{app}.interface")
    return [
        value
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == module.__name__
        and not name.startswith("_")
    ]


def plain_data_problems(hint, where: str) -> list[str]:
    """Why `hint` is not plain data (nothing when it is)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in SCALARS:
        return []
    if origin in (typing.Union, types.UnionType):
        return [p for arg in args for p in plain_data_problems(arg, where)]
    if origin is list and len(args) == 1:
        return plain_data_problems(args[0], where)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return plain_data_problems(args[0], where)
    if origin is dict and len(args) == 2:
        key = [] if args[0] in KEYS else [f"{where}: key {args[0]!r}"]
        return key + plain_data_problems(args[1], where)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return contract_problems(hint, where)
    return [f"{where}: {hint!r}"]


def contract_problems(cls: type, where: str) -> list[str]:
    if not (cls.__module__.endswith(".contracts") and cls.__dataclass_params__.frozen):
        return [f"{where}: {cls.__qualname__} is not a frozen dataclass of contracts"]
    hints = typing.get_type_hints(cls)
    return [
        problem
        for field in dataclasses.fields(cls)
        for problem in plain_data_problems(
            hints[field.name], f"{where}.{cls.__qualname__}.{field.name}"
        )
    ]


def signature_problems(func: Callable) -> list[str]:
    name = f"{func.__module__}.{func.__qualname__}"
    hints = typing.get_type_hints(func)
    problems = []
    for parameter in inspect.signature(func).parameters.values():
        where = f"{name}({parameter.name})"
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            problems.append(f"{where}: not keyword-only")
        if parameter.name not in hints:
            problems.append(f"{where}: no type hint")
        else:
            problems += plain_data_problems(hints[parameter.name], where)
    if "return" not in hints:
        return [*problems, f"{name} -> no type hint"]
    return problems + plain_data_problems(hints["return"], f"{name} ->")


@pytest.mark.parametrize("app", settings.DOMAIN_APPS)
def test_every_interface_function_is_keyword_only_plain_data(app):
    functions = public_functions(app)

    assert functions, f"apps.{app}.interface has no public function"
    assert [p for func in functions for p in signature_problems(func)] == []


@dataclasses.dataclass(frozen=True)
class Unshippable:  # not in a contracts module
    value: str


def test_planted_impure_signatures_are_caught():
    def positional(user_id: uuid.UUID) -> str: ...
    def untyped(*, user_id): ...
    def anything(*, value: typing.Any) -> None: ...
    def a_model(*, user: User) -> QuerySet: ...
    def unknown_shape(*, ids: Iterable[uuid.UUID]) -> dict[int, str]: ...
    def local_dataclass(*, value: str) -> Unshippable: ...
    def fine(*, ids: list[uuid.UUID | str]) -> dict[uuid.UUID, dt.date | None]: ...

    planted = (positional, untyped, anything, a_model, unknown_shape, local_dataclass)
    problems = {func.__name__: len(signature_problems(func)) for func in planted}

    assert problems == {
        "positional": 1,
        "untyped": 2,
        "anything": 1,
        "a_model": 2,
        "unknown_shape": 2,
        "local_dataclass": 1,
    }
    assert signature_problems(fine) == []


@pytest.mark.parametrize("app", settings.ALL_DOMAIN_APPS)
def test_every_interface_function_runs_where_its_app_is_hosted(app):
    functions = public_functions(app)

    assert [f.__name__ for f in functions if registered(app=app, name=f.__name__)] == [
        f.__name__ for f in functions
    ]


def module_level_imports(source: str) -> list[str]:
    tree = ast.parse(source)
    return [
        name
        for node in tree.body
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]


def loads_without_its_app(module: str) -> bool:
    """Standard library, the kernel's errors and remote, any app's contracts."""
    return (
        module.partition(".")[0] in sys.stdlib_module_names
        or module in ("apps.common.errors", "apps.common.remote")
        or (module.startswith("apps.") and module.endswith(".contracts"))
    )


@pytest.mark.parametrize("app", settings.ALL_DOMAIN_APPS)
def test_an_interface_module_loads_where_its_app_is_not_installed(app):
    source = (ROOT / "apps" / app / "interface.py").read_text()

    imports = module_level_imports(source)

    assert imports
    assert [module for module in imports if not loads_without_its_app(module)] == []


def test_a_private_import_at_module_level_is_caught():
    source = "import uuid\nfrom apps.orders import selectors\nfrom apps.orders.contracts import X\n"

    assert [
        m for m in module_level_imports(source) if not loads_without_its_app(m)
    ] == ["apps.orders"]
