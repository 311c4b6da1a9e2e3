"""/metrics: request, query, outbox and event figures; closed in production."""

import subprocess
import sys
import textwrap
import uuid

import pytest
from django.db import connections
from django.test import Client
from prometheus_client import REGISTRY

from apps.common import metrics
from apps.common.db import alias_for, atomic_for
from apps.eventbus import registry
from apps.eventbus.api import publish
from apps.users.events import UserRegistered


def sample(name, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


@pytest.mark.django_db
def test_requests_are_counted_and_timed_by_route_pattern_and_status(
    probe_urls, customer_client
):
    labels = {
        "method": "POST",
        "route": "/api/v1/orders/<uuid:order_id>/pay/",
        "status": "201",
    }
    count_before = sample("http_requests_total", **labels)
    timed_before = sample("http_request_duration_seconds_count", **labels)

    for _ in range(2):
        customer_client.post(
            f"/api/v1/orders/{uuid.uuid4()}/pay/", {"quantity": 1}, format="json"
        )

    assert sample("http_requests_total", **labels) == count_before + 2
    assert sample("http_request_duration_seconds_count", **labels) == timed_before + 2


@pytest.mark.django_db
def test_unmatched_urls_share_one_label_value(client):
    labels = {"method": "GET", "route": "<unmatched>", "status": "404"}
    before = sample("http_requests_total", **labels)

    client.get(f"/api/v1/{uuid.uuid4()}/")
    client.get(f"/nothing/{uuid.uuid4()}/")

    assert sample("http_requests_total", **labels) == before + 2


@pytest.mark.django_db
def test_database_queries_are_counted_per_alias_and_per_request(
    customer, customer_client
):
    alias = alias_for("users")
    connections[alias].ensure_connection()
    before = sample("db_queries_total", alias=alias)
    observed_before = sample("http_request_db_queries_sum", route="/healthz")

    with connections[alias].cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT 1")
    customer_client.get("/healthz")

    assert sample("db_queries_total", alias=alias) == before + 3
    assert sample("http_request_db_queries_sum", route="/healthz") == observed_before


@pytest.mark.django_db
def test_outbox_backlog_is_computed_at_scrape_time_for_every_alias(
    client, settings, deliver_events
):
    with atomic_for("users"):
        for _ in range(2):
            publish(UserRegistered(user_id=uuid.uuid4(), email="m@example.com"))

    pending = scrape(client)
    deliver_events()
    drained = scrape(client)

    users_alias = alias_for("users")
    assert f'outbox_unsent_events{{alias="{users_alias}"}} 2.0' in pending
    for alias in settings.DATABASES:
        assert f'outbox_unsent_events{{alias="{alias}"}} 0.0' in drained
        assert f'outbox_oldest_unsent_age_seconds{{alias="{alias}"}} 0.0' in drained
    age_line = next(
        line
        for line in pending.splitlines()
        if line.startswith(f'outbox_oldest_unsent_age_seconds{{alias="{users_alias}"}}')
    )
    assert 0.0 < float(age_line.rsplit(" ", 1)[1]) < 60.0


@pytest.mark.django_db
def test_events_handled_retried_and_dead_lettered_per_consumer_and_type(
    monkeypatch, settings, deliver_events
):
    settings.EVENTS_MAX_ATTEMPTS = 3
    event_type = UserRegistered.event_type

    def broken(event, meta):
        raise RuntimeError("handler bug")

    monkeypatch.setitem(
        registry._handlers,
        event_type,
        {"catalog": lambda e, m: None, "orders": broken},
    )
    before = {
        name: {
            c: sample(name, consumer=c, event_type=event_type)
            for c in ("catalog", "orders")
        }
        for name in (
            "events_handled_total",
            "events_retried_total",
            "events_dead_lettered_total",
        )
    }

    with atomic_for("users"):
        publish(UserRegistered(user_id=uuid.uuid4(), email="e@example.com"))
    deliver_events()

    def delta(name, consumer):
        return (
            sample(name, consumer=consumer, event_type=event_type)
            - before[name][consumer]
        )

    assert delta("events_handled_total", "catalog") == 1
    assert delta("events_handled_total", "orders") == 0
    assert delta("events_retried_total", "orders") == 2
    assert delta("events_dead_lettered_total", "orders") == 1
    assert delta("events_dead_lettered_total", "catalog") == 0


@pytest.mark.django_db
def test_metrics_are_open_outside_production(client, settings):
    settings.METRICS_PROTECTED = False

    assert "http_requests_total" in scrape(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("remote_addr", "authorization", "expected"),
    [
        ("10.1.2.3", "", 200),  # allow-listed network
        ("192.168.0.9", "", 403),
        ("192.168.0.9", "Bearer s3cret-scrape", 200),
        ("192.168.0.9", "Bearer wrong", 403),
        ("192.168.0.9", "s3cret-scrape", 403),
        ("not-an-ip", "", 403),
    ],
)
def test_protected_metrics_need_an_allowed_network_or_the_token(
    settings, remote_addr, authorization, expected
):
    settings.METRICS_PROTECTED = True
    settings.METRICS_ALLOWED_CIDRS = ["10.0.0.0/8", "127.0.0.1/32"]
    settings.METRICS_TOKEN = "s3cret-scrape"
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}

    response = Client(REMOTE_ADDR=remote_addr).get("/metrics", **headers)

    assert response.status_code == expected
    if expected == 403:
        assert response["Content-Type"] == "application/problem+json"
        assert b"http_requests_total" not in response.content


def test_production_settings_protect_metrics_and_log_json():
    script = textwrap.dedent(
        """
        import os
        from apps.common.jwt_keys import private_key_pem_new
        os.environ.update(SECRET_KEY="metrics-test-" + "s3cr" * 12,
                          JWT_PRIVATE_KEY=private_key_pem_new(),
                          ALLOWED_HOSTS="shop.example",
                          DATABASE_URL="postgres://u@db/shop",
                          CACHE_URL="redis://cache:6379/0",
                          ORDERS_PAYMENT_GATEWAY="apps.orders.gateway.TestGateway")
        for name in ("METRICS_PROTECTED", "LOG_FORMAT", "DEBUG"):
            os.environ.pop(name, None)
        import config.settings.production as s
        print(s.METRICS_PROTECTED, s.LOGGING["handlers"]["console"]["formatter"])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )

    assert result.stdout.split() == ["True", "json"], result.stderr


def test_multiprocess_mode_aggregates_the_workers(tmp_path):
    """A forked worker and its parent both count; the scrape sums them."""
    script = textwrap.dedent(
        """
        import os
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        import django; django.setup()
        from apps.common import metrics
        pid = os.fork()
        if pid == 0:
            metrics.DB_QUERIES.labels(alias="mp-test").inc()
            os._exit(0)
        os.waitpid(pid, 0)
        metrics.DB_QUERIES.labels(alias="mp-test").inc()
        text = metrics.process_metrics().decode()
        print([l for l in text.splitlines() if 'alias="mp-test"' in l])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=str(metrics.settings.BASE_DIR),
    )

    expected = "['db_queries_total{alias=\"mp-test\"} 2.0']"
    assert result.stdout.strip() == expected, result.stderr[-2000:]
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
