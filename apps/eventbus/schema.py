"""Base class and JSON mapping of domain events. Standard library only, so every
app's public `events.py` can build on it without pulling in a framework."""

import dataclasses
import datetime as dt
import decimal
import types
import typing
import uuid
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """A fact that happened. Subclasses set `event_type` = "<app>.<subject>.<action>.v<N>"."""

    event_type: ClassVar[str]

    # Class-level names chosen not to collide with payload fields (an event may
    # well carry a `version` or `producer` of its own).
    @classmethod
    def producer_app(cls) -> str:
        return cls.event_type.split(".", 1)[0]

    @classmethod
    def major_version(cls) -> int:
        return int(cls.event_type.rsplit(".v", 1)[1])

    def to_payload(self) -> dict[str, Any]:
        return {f.name: _dump(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]):
        hints = typing.get_type_hints(cls)
        known = {f.name for f in dataclasses.fields(cls)}
        # Unknown keys are ignored: adding an optional field stays compatible.
        return cls(**{k: _load(hints[k], v) for k, v in payload.items() if k in known})


def _dump(value):
    if dataclasses.is_dataclass(value):
        return {
            f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, (list, tuple)):
        return [_dump(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _dump(v) for k, v in value.items()}
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _load(hint, value):
    if value is None:
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _load(inner[0], value)
    if origin is tuple:
        return tuple(_load(args[0], item) for item in value)
    if origin is list:
        return [_load(args[0], item) for item in value]
    if origin is dict:
        return {_load(args[0], k): _load(args[1], v) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        sub_hints = typing.get_type_hints(hint)
        return hint(
            **{k: _load(sub_hints[k], v) for k, v in value.items() if k in sub_hints}
        )
    if hint is uuid.UUID:
        return uuid.UUID(str(value))
    if hint is decimal.Decimal:
        return decimal.Decimal(str(value))
    if hint is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if hint is dt.date:
        return dt.date.fromisoformat(value)
    return value
