"""Which domain errors an API operation can answer, read from the code: the
`raise` statements of the view method and of every project function it calls,
transitively. The schema documents each one's status and code."""

import ast
import inspect
import textwrap
from functools import cache

from apps.common.errors import ApplicationError

PROJECT_PACKAGE = "apps."


def raisable_errors(
    func, *, owner: type | None = None, package: str = PROJECT_PACKAGE
) -> set[type[ApplicationError]]:
    """The ApplicationError classes `func` (a method of `owner`) may raise,
    following calls into functions of `package`."""
    found: set[type[ApplicationError]] = set()
    _collect(func, owner=owner, seen=set(), found=found, package=package)
    return found


def _collect(func, *, owner, seen: set, found: set, package: str) -> None:
    func = inspect.unwrap(func)
    if not _in_package(func, package=package) or func in seen:
        return
    seen.add(func)
    for node in _nodes(func):
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            error = _resolve(raised, func=func, owner=owner)
            if isinstance(error, type) and issubclass(error, ApplicationError):
                found.add(error)
        elif isinstance(node, ast.Call):
            callee = _resolve(node.func, func=func, owner=owner)
            callee_owner = owner if _is_self_attribute(node.func) else None
            _collect(
                callee, owner=callee_owner, seen=seen, found=found, package=package
            )


def _in_package(func, *, package: str) -> bool:
    return inspect.isfunction(func) and func.__module__.startswith(package)


@cache
def _nodes(func) -> tuple[ast.AST, ...]:
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return ()
    return tuple(ast.walk(ast.parse(source)))


def _is_self_attribute(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    )


def _resolve(node: ast.AST, *, func, owner):
    """The object a name or dotted name stands for in `func`, or None."""
    if _is_self_attribute(node):
        return getattr(owner, node.attr, None) if owner else None
    if isinstance(node, ast.Name):
        return func.__globals__.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _resolve(node.value, func=func, owner=owner)
        return getattr(base, node.attr, None) if inspect.ismodule(base) else None
    return None
