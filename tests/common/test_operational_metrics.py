"""The figures the alerts watch: readiness, breakers, dead letters, handling
time, and the metrics a Celery worker serves itself."""

import urllib.error
import urllib.request
import uuid

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from apps.common import breaker
from apps.common.breaker import CircuitBreaker
from apps.common.db import atomic_for
from apps.common.metrics import ConsumedQueuesCollector, start_metrics_server
from apps.eventbus import registry
from apps.eventbus.api import publish
from apps.eventbus.delivery import broker_breaker
from apps.eventbus.models import DeadLetter
from apps.users.events import UserRegistered
from stack.procs import free_port


def scrape() -> str:
    response = Client().get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_readiness_checks_are_scraped_like_readyz_answers(settings):
    text = scrape()

    for alias in settings.DATABASES:
        assert f'readiness_check_up{{check="database:{alias}"}} 1.0' in text
    assert ('readiness_check_up{check="broker"} 1.0' in text) == bool(
        settings.CELERY_BROKER_URL
    )


@pytest.mark.django_db
def test_a_watched_breaker_reports_open_until_a_call_succeeds(monkeypatch):
    probe = CircuitBreaker(
        target=f"probe-{uuid.uuid4().hex[:6]}", failure_threshold=2, open_seconds=30
    )
    monkeypatch.setitem(breaker._watched, probe.target, probe)
    line = f'circuit_breaker_open{{target="{probe.target}"}}'

    closed = scrape()
    for _ in range(2):
        with pytest.raises(RuntimeError), probe.guard():
            raise RuntimeError("down")
    tripped = scrape()
    probe.record_success()

    assert f"{line} 0.0" in closed
    assert f"{line} 1.0" in tripped
    assert f"{line} 0.0" in scrape()


@pytest.mark.django_db
def test_the_brokers_breaker_is_reported_under_the_name_its_alert_reads(
    monkeypatch, settings
):
    # The runbook of ShopCircuitBreakerOpen (docs/operations.md) names it `broker`.
    settings.EVENTS_BROKER_BREAKER_THRESHOLD = 1
    monkeypatch.setattr(breaker, "_watched", {})
    breaker.watch(broker_breaker())
    with pytest.raises(OSError), broker_breaker().guard():
        raise OSError("broker down")
    try:
        assert 'circuit_breaker_open{target="broker"} 1.0' in scrape()
    finally:
        broker_breaker().record_success()


@pytest.mark.django_db
def test_dead_letters_are_counted_until_replayed(monkeypatch, settings, deliver_events):
    settings.EVENTS_MAX_ATTEMPTS = 1

    def broken(event, meta):
        raise RuntimeError("handler bug")

    monkeypatch.setitem(
        registry._handlers, UserRegistered.event_type, {"orders": broken}
    )
    alias = settings.APP_DATABASES["orders"]
    line = f'events_dead_letters{{alias="{alias}",consumer="orders"}}'
    before = DeadLetter.objects.using(alias).filter(replayed_at__isnull=True).count()

    with atomic_for("users"):
        publish(UserRegistered(user_id=uuid.uuid4(), email="d@example.com"))
    deliver_events()
    text = scrape()

    assert f"{line} {before + 1}.0" in text


@pytest.mark.django_db
def test_handling_time_is_observed_per_consumer_and_type(monkeypatch, deliver_events):
    labels = {"consumer": "orders", "event_type": UserRegistered.event_type}
    name = "event_handling_duration_seconds_count"
    before = REGISTRY.get_sample_value(name, labels) or 0.0
    monkeypatch.setitem(
        registry._handlers, UserRegistered.event_type, {"orders": lambda e, m: None}
    )

    with atomic_for("users"):
        publish(UserRegistered(user_id=uuid.uuid4(), email="h@example.com"))
    deliver_events()

    assert REGISTRY.get_sample_value(name, labels) == before + 1


def get(url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, headers=headers), timeout=5
        ) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_worker_serves_its_metrics_and_queues_behind_the_token(settings):
    settings.METRICS_PROTECTED = True
    settings.METRICS_ALLOWED_CIDRS = []
    settings.METRICS_TOKEN = "worker-scrape"
    port = free_port()

    start_metrics_server(
        port=port, collectors=[ConsumedQueuesCollector(["orders", "inventory"])]
    )
    url = f"http://127.0.0.1:{port}/metrics"

    status, body = get(url)
    assert (status, "worker_consumed_queues" in body) == (403, False)
    status, body = get(url, "worker-scrape")
    assert status == 200
    assert 'worker_consumed_queues{queue="inventory"} 1.0' in body
    assert 'worker_consumed_queues{queue="orders"} 1.0' in body
    assert "events_handled_total" in body
    assert get(url, "wrong")[0] == 403
