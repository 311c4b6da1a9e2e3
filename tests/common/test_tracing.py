"""One trace from the HTTP request through the outbox to the handler."""

import uuid

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind

from apps.common import tracing
from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.envelope import Envelope
from apps.eventbus.models import OutboxEvent
from apps.users.events import UserRegistered

_exporter = InMemorySpanExporter()


@pytest.fixture
def spans():
    # The SDK is installed once per process (as in a server); the libraries
    # are instrumented for this test only, so other tests run uninstrumented.
    if not tracing.configure_tracing(span_processor=SimpleSpanProcessor(_exporter)):
        tracing.instrument_libraries()
    _exporter.clear()
    yield _exporter
    tracing.uninstrument_libraries()
    _exporter.clear()


@pytest.mark.django_db
def test_one_trace_spans_the_request_and_the_handler_it_caused(
    spans, monkeypatch, probe_urls, api_client, deliver_events
):
    handled = []
    monkeypatch.setitem(
        registry._handlers,
        UserRegistered.event_type,
        {"catalog": lambda e, m: handled.append(trace.get_current_span())},
    )

    response = api_client.post("/api/v1/probe/publish/", {}, format="json")
    row = OutboxEvent.objects.using(alias_for("users")).get()
    # Delivered later and outside the request, as the relay or a worker would.
    deliver_events()

    finished = spans.get_finished_spans()
    (server,) = [s for s in finished if s.kind == SpanKind.SERVER]
    (consumer,) = [s for s in finished if s.kind == SpanKind.CONSUMER]
    assert response.status_code == 201
    assert server.attributes["http.route"] == "api/v1/probe/publish/"
    assert row.trace_context["traceparent"].split("-")[1] == format(
        server.context.trace_id, "032x"
    )
    assert consumer.context.trace_id == server.context.trace_id
    assert consumer.parent.span_id == server.context.span_id
    assert consumer.name == "handle users.user.registered.v1"
    assert consumer.attributes["messaging.destination.name"] == "catalog"
    assert consumer.attributes["messaging.message.id"] == str(row.event_id)
    assert handled[0].get_span_context().span_id == consumer.context.span_id


@pytest.mark.django_db
def test_without_an_active_trace_the_envelope_carries_none(deliver_events):
    from apps.common.db import atomic_for
    from apps.eventbus.api import publish

    with atomic_for("users"):
        row = publish(UserRegistered(user_id=uuid.uuid4(), email="t@example.com"))

    row.refresh_from_db()
    assert row.trace_context == {}


def test_envelopes_from_producers_without_trace_context_still_load():
    data = {
        "event_id": str(uuid.uuid4()),
        "event_type": "users.user.registered.v1",
        "version": 1,
        "occurred_at": "2026-01-01T00:00:00+00:00",
        "producer": "users",
        "correlation_id": "c",
        "causation_id": "",
        "payload": {},
    }

    assert Envelope.from_dict(data).trace_context == {}
    with_trace = {**data, "trace_context": {"traceparent": "00-ab-cd-01"}}
    assert Envelope.from_dict(with_trace).to_dict() == with_trace


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "x"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, False),
    ],
)
def test_tracing_is_off_by_default_and_on_with_standard_variables(environ, expected):
    assert tracing.tracing_requested(environ) is expected


@pytest.mark.django_db
def test_the_trace_survives_the_broker_message_and_the_celery_task(spans, monkeypatch):
    import json

    from apps.common.db import atomic_for
    from apps.eventbus.api import publish
    from apps.eventbus.delivery import consume
    from apps.eventbus.outbox import envelope_of

    monkeypatch.setitem(
        registry._handlers, UserRegistered.event_type, {"catalog": lambda e, m: None}
    )
    # A worker's connection hygiene would close the test's open transaction.
    monkeypatch.setattr("django.db.close_old_connections", lambda **kw: None)
    tracer = trace.get_tracer("tests")
    with tracer.start_as_current_span("checkout") as origin, atomic_for("users"):
        row = publish(UserRegistered(user_id=uuid.uuid4(), email="c@example.com"))
    message = json.loads(json.dumps(envelope_of(row).to_dict()))  # as on the wire

    consume.apply(args=["catalog", message])

    finished = {s.name: s for s in spans.get_finished_spans()}
    handler = finished["handle users.user.registered.v1"]
    task = finished["run/eventbus.consume"]
    assert handler.context.trace_id == origin.get_span_context().trace_id
    assert handler.parent.span_id == origin.get_span_context().span_id
    assert [link.context.span_id for link in handler.links] == [task.context.span_id]
