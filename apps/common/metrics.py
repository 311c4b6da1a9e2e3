"""Prometheus metrics of the whole project, and the `/metrics` endpoint.

The kernel counts requests, queries and events itself; a metric of a domain
belongs to its app. Under gunicorn set PROMETHEUS_MULTIPROC_DIR (an
empty directory shared by the workers) and every worker's samples are
aggregated at scrape time. Figures computed at scrape time (the event bus's
outbox backlog over every database alias) come from registered collectors.
"""

import hmac
import ipaddress
import logging
import os

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from apps.common.errors import PROBLEM_CONTENT_TYPE, problem

logger = logging.getLogger(__name__)

# --- HTTP and database (counted by apps.common.middleware) --------------------
HTTP_REQUESTS = Counter(
    "http_requests_total",
    "HTTP requests answered, by method, route pattern and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route pattern and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HTTP_DB_QUERIES = Histogram(
    "http_request_db_queries",
    "Database queries run while answering one HTTP request, by route pattern.",
    ["route"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100),
)
DB_QUERIES = Counter(
    "db_queries_total", "Database queries executed, by database alias.", ["alias"]
)

# --- Events (counted by apps.eventbus) ----------------------------------------
EVENTS_HANDLED = Counter(
    "events_handled_total",
    "Events applied by a consumer (duplicates excluded).",
    ["consumer", "event_type"],
)
EVENTS_RETRIED = Counter(
    "events_retried_total",
    "Failed attempts to apply an event that will be tried again.",
    ["consumer", "event_type"],
)
EVENTS_DEAD_LETTERED = Counter(
    "events_dead_lettered_total",
    "Events given up on and stored as dead letters.",
    ["consumer", "event_type"],
)


def count_query(alias: str):
    """A connection execute-wrapper that counts every query on `alias`."""

    def wrapper(execute, sql, params, many, context):
        DB_QUERIES.labels(alias=alias).inc()
        return execute(sql, params, many, context)

    wrapper.counts_queries = True
    return wrapper


def install_query_counter(sender, connection, **kwargs) -> None:
    """`connection_created` receiver; idempotent across reconnects."""
    if not any(
        getattr(w, "counts_queries", False) for w in connection.execute_wrappers
    ):
        connection.execute_wrappers.append(count_query(connection.alias))


# --- Scrape-time collectors ---------------------------------------------------
_scrape_collectors: list = []


def register_scrape_collector(collector) -> None:
    """Add a collector whose figures are computed at each scrape (e.g. the
    event bus's outbox backlog); it is asked once per scrape, in the web
    process that answers, never aggregated across processes."""
    if collector not in _scrape_collectors:
        _scrape_collectors.append(collector)


def process_metrics() -> bytes:
    """Counters and histograms: this process's, or every worker's in
    multiprocess mode (PROMETHEUS_MULTIPROC_DIR)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def render_metrics() -> bytes:
    scrape_registry = CollectorRegistry(auto_describe=False)
    for collector in _scrape_collectors:
        scrape_registry.register(collector)
    return process_metrics() + generate_latest(scrape_registry)


# --- Access control -----------------------------------------------------------
def metrics_access_allowed(request) -> bool:
    """Open unless METRICS_PROTECTED (production); then an allow-listed client
    network or `Authorization: Bearer <METRICS_TOKEN>`."""
    if not settings.METRICS_PROTECTED:
        return True
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(cidr, strict=False)
        for cidr in settings.METRICS_ALLOWED_CIDRS
    )


def metrics_view(request):
    if not metrics_access_allowed(request):
        body = problem(
            403,
            title="Forbidden",
            detail="Metrics need an allow-listed network or the metrics token.",
            code="forbidden",
        )
        return JsonResponse(body, status=403, content_type=PROBLEM_CONTENT_TYPE)
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
