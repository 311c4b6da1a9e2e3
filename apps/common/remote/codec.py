"""Plain data to JSON and back (tests/architecture/test_interfaces.py says which
types are plain data): a value is encoded by its type, and decoded by the type
hint it must fit, so contracts come back as their own classes. A field the
hint does not know is ignored; a missing required field is a ContractMismatch."""

import dataclasses
import datetime as dt
import decimal
import functools
import inspect
import types
import typing
import uuid
from collections.abc import Callable

from apps.common.errors import ContractMismatch

JSON = None | bool | int | float | str | list["JSON"] | dict[str, "JSON"]


def encode(value: object) -> JSON:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, (list, tuple)):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    raise TypeError(f"{type(value).__qualname__} is not plain data")


def decode(data: JSON, hint: object, *, where: str) -> object:
    """`data` as a value of `hint`; raises ContractMismatch naming `where`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return _decode_union(data, args, where=where)
    if origin is list:
        return [
            decode(item, args[0], where=where) for item in _expect(data, list, where)
        ]
    if origin is tuple:
        return tuple(
            decode(item, args[0], where=where) for item in _expect(data, list, where)
        )
    if origin is dict:
        return {
            decode(key, args[0], where=where): decode(item, args[1], where=where)
            for key, item in _expect(data, dict, where).items()
        }
    if dataclasses.is_dataclass(hint):
        return _decode_contract(_expect(data, dict, where), hint, where=where)
    if hint in _SCALARS:
        return _decode_scalar(data, hint, where=where)
    raise ContractMismatch(f"{where}: {hint!r} is not plain data")


def decode_kwargs(data: JSON, func: Callable, *, where: str) -> dict[str, object]:
    """A call's keyword arguments as `func`'s hints type them; unknown ignored."""
    hints, data = type_hints(func), _expect(data, dict, where)
    parameters = inspect.signature(func).parameters.values()
    for parameter in parameters:
        if parameter.default is parameter.empty and parameter.name not in data:
            raise ContractMismatch(
                f"{where}({parameter.name}): a required argument is missing"
            )
    return {
        p.name: decode(data[p.name], hints[p.name], where=f"{where}({p.name})")
        for p in parameters
        if p.name in data
    }


@functools.cache
def type_hints(target: Callable | type) -> dict[str, object]:
    return typing.get_type_hints(target)


def _decode_contract(data: dict, cls: type, *, where: str) -> object:
    hints = type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        here = f"{where}.{cls.__qualname__}.{field.name}"
        if field.name in data:
            values[field.name] = decode(data[field.name], hints[field.name], where=here)
        elif _required(field):
            raise ContractMismatch(f"{here}: a required field is missing")
    return cls(**values)


def _required(field: dataclasses.Field) -> bool:
    no_default = dataclasses.MISSING
    return field.default is no_default and field.default_factory is no_default


def _decode_union(data: JSON, args: tuple, *, where: str) -> object:
    if data is None and type(None) in args:
        return None
    for arg in args:
        try:
            return decode(data, arg, where=where)
        except ContractMismatch:
            continue  # the next member of the union may fit
    raise ContractMismatch(f"{where}: {data!r} fits none of {args!r}")


def _decode_scalar(data: JSON, hint: type, *, where: str) -> object:
    try:
        return _SCALARS[hint](data)
    except (TypeError, ValueError, decimal.InvalidOperation):
        raise ContractMismatch(f"{where}: {data!r} is not a {hint.__name__}") from None


def _expect(data: JSON, kind: type, where: str):
    if not isinstance(data, kind):
        raise ContractMismatch(f"{where}: {data!r} is not a JSON {kind.__name__}")
    return data


def _exactly(kind: type) -> Callable[[JSON], object]:
    def check(data: JSON) -> object:
        if type(data) is not kind:
            raise TypeError(kind)
        return data

    return check


def _number(data: JSON) -> float:
    if isinstance(data, bool) or not isinstance(data, (int, float)):
        raise TypeError(float)
    return float(data)


def _from_string(parse: Callable[[str], object]) -> Callable[[JSON], object]:
    def convert(data: JSON) -> object:
        return parse(_exactly(str)(data))

    return convert


_SCALARS: dict[type, Callable[[JSON], object]] = {
    str: _exactly(str),
    bool: _exactly(bool),
    int: _exactly(int),
    float: _number,
    type(None): _exactly(type(None)),
    uuid.UUID: _from_string(uuid.UUID),
    decimal.Decimal: _from_string(decimal.Decimal),
    dt.datetime: _from_string(dt.datetime.fromisoformat),
    dt.date: _from_string(dt.date.fromisoformat),
}
