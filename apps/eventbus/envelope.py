"""The wire format of an event (DESIGN.md section 2). Standard library only."""

import datetime as dt
import uuid
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Envelope:
    event_id: str
    event_type: str
    version: int
    occurred_at: str
    producer: str
    correlation_id: str
    causation_id: str
    payload: dict[str, Any]
    # Optional W3C trace headers (traceparent, tracestate) of the publisher.
    trace_context: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # Shallow: the payload is serialised as it is; asdict would deep-copy it.
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Envelope":
        # Optional fields may be missing from envelopes of older producers.
        return cls(
            **{
                name: data[name]
                for name in cls.__dataclass_fields__
                if name in data or name != "trace_context"
            }
        )


class MalformedEnvelope(ValueError):
    """A message that carries no usable envelope."""


_FIELD_TYPES = {
    "event_type": str,
    "version": int,
    "occurred_at": str,
    "producer": str,
    "correlation_id": str,
    "causation_id": str,
    "payload": dict,
    "trace_context": dict,
}


def envelope_from_message(data: Any) -> Envelope:
    """The envelope a message carries; MalformedEnvelope if there is none (not
    an object, a field missing or of the wrong type, an event id that is not a
    UUID, a time that is not ISO 8601)."""
    try:
        envelope = Envelope.from_dict(data)
        for name, kind in _FIELD_TYPES.items():
            if not isinstance(getattr(envelope, name), kind):
                raise TypeError(f"{name} is not a {kind.__name__}")
        uuid.UUID(str(envelope.event_id))
        dt.datetime.fromisoformat(envelope.occurred_at)
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedEnvelope(f"malformed envelope: {exc!r}") from exc
    return envelope


@dataclass(frozen=True, kw_only=True)
class EventMeta:
    """What a handler may want besides the event: its identity and time."""

    event_id: uuid.UUID
    event_type: str
    occurred_at: dt.datetime
    producer: str
    correlation_id: str
    causation_id: str

    @classmethod
    def from_envelope(cls, envelope: Envelope) -> "EventMeta":
        return cls(
            event_id=uuid.UUID(envelope.event_id),
            event_type=envelope.event_type,
            occurred_at=dt.datetime.fromisoformat(envelope.occurred_at),
            producer=envelope.producer,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.causation_id,
        )
