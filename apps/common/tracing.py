"""OpenTelemetry tracing: off by default, on with the standard OTEL_* variables.

`OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) or
`OTEL_TRACES_EXPORTER=otlp|console` switches it on; `OTEL_SDK_DISABLED=true`
keeps it off. Django, Celery and psycopg are instrumented; the event bus
carries the W3C trace context inside every envelope (`trace_context`), so the
handler of an event continues the trace of the request that published it,
through the outbox and the broker.

The functions used by the event bus work (and cost nearly nothing) when
tracing is off: the API's default tracer records nothing.
"""

import contextlib
import logging
import os

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

logger = logging.getLogger(__name__)
_tracer = trace.get_tracer("shop.eventbus")
_configured = False


def tracing_requested(environ=os.environ) -> bool:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return bool(
        exporter
        or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def _exporter_from_env(environ=os.environ):
    name = environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if name != "otlp":
        logger.warning("OTEL_TRACES_EXPORTER=%s unsupported; using otlp", name)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
        OTLPSpanExporter,
    )

    return OTLPSpanExporter()  # endpoint, headers, timeout: OTEL_EXPORTER_OTLP_*


def _instrumentors():
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    return [DjangoInstrumentor(), CeleryInstrumentor(), PsycopgInstrumentor()]


def instrument_libraries() -> None:
    for instrumentor in _instrumentors():
        instrumentor.instrument()


def uninstrument_libraries() -> None:
    """Undo `instrument_libraries`; instrumentation is process-wide, so the
    tests that trace scope it to themselves with this."""
    for instrumentor in _instrumentors():
        instrumentor.uninstrument()


def configure_tracing(*, span_processor=None) -> bool:
    """Install the SDK (once per process) and instrument Django, Celery, psycopg.

    With no `span_processor`, spans are batched to the exporter the
    environment names. Returns False if the SDK had already been installed.
    """
    global _configured
    if _configured:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", "shop")}
        )
    )
    provider.add_span_processor(
        span_processor or BatchSpanProcessor(_exporter_from_env())
    )
    trace.set_tracer_provider(provider)
    instrument_libraries()
    _configured = True
    return True


def current_trace_context() -> dict[str, str]:
    """The active trace as W3C headers (`traceparent`, ...); {} when none."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextlib.contextmanager
def handling_span(*, trace_context: dict, event_type: str, event_id: str, consumer):
    """A consumer span, child of the span that published the event."""
    # The delivering span (a Celery task, the relay) is linked, not the parent:
    # the handler belongs to the trace of the request that published.
    delivering = trace.get_current_span().get_span_context()
    links = [trace.Link(delivering)] if delivering.is_valid else []
    parent = propagate.extract(trace_context or {})
    token = otel_context.attach(parent)
    try:
        with _tracer.start_as_current_span(
            f"handle {event_type}",
            kind=trace.SpanKind.CONSUMER,
            links=links,
            attributes={
                "messaging.operation.type": "process",
                "messaging.destination.name": consumer,
                "messaging.message.id": event_id,
                "shop.event_type": event_type,
            },
        ):
            yield
    finally:
        otel_context.detach(token)
