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
import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

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
from prometheus_client.core import GaugeMetricFamily

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

# --- Cached reads (counted by apps.common.http_cache) --------------------------
READ_CACHE = Counter(
    "read_cache_requests_total",
    "GETs of cached read views: hit, not_modified (a 304 from a stored entry), "
    "miss (rendered and stored) or bypass (credentials, HTML, cache off).",
    ["namespace", "result"],
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
EVENT_HANDLING = Histogram(
    "event_handling_duration_seconds",
    "Time a consumer took to apply an event (its inbox row and effect).",
    ["consumer", "event_type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
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
def metrics_access_allowed(*, authorization: str, remote_addr: str) -> bool:
    """Open unless METRICS_PROTECTED (production); then an allow-listed client
    network or `Authorization: Bearer <METRICS_TOKEN>`."""
    if not settings.METRICS_PROTECTED:
        return True
    token = settings.METRICS_TOKEN
    if token and hmac.compare_digest(
        authorization.encode(), f"Bearer {token}".encode()
    ):
        return True
    try:
        client = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(cidr, strict=False)
        for cidr in settings.METRICS_ALLOWED_CIDRS
    )


def metrics_view(request):
    if not metrics_access_allowed(
        authorization=request.headers.get("Authorization", ""),
        remote_addr=request.META.get("REMOTE_ADDR", ""),
    ):
        body = problem(
            403,
            title="Forbidden",
            detail="Metrics need an allow-listed network or the metrics token.",
            code="forbidden",
        )
        return JsonResponse(body, status=403, content_type=PROBLEM_CONTENT_TYPE)
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)


# --- Processes without Django views (Celery workers) ----------------------------
class ConsumedQueuesCollector:
    """`worker_consumed_queues{queue}` = 1 for each queue this worker consumes:
    a queue absent from every worker has no consumer."""

    def __init__(self, queues):
        self.queues = sorted(queues)

    def collect(self):
        family = GaugeMetricFamily(
            "worker_consumed_queues",
            "Queues this Celery worker consumes (1 each).",
            labels=["queue"],
        )
        for queue in self.queues:
            family.add_metric([queue], 1)
        yield family


def metrics_wsgi_app(collectors=()):
    """The /metrics of a process that serves no Django view, under the same
    access rule as the web's (METRICS_PROTECTED, METRICS_TOKEN, CIDRs)."""
    extra = CollectorRegistry(auto_describe=False)
    for collector in collectors:
        extra.register(collector)

    def app(environ, start_response):
        if not metrics_access_allowed(
            authorization=environ.get("HTTP_AUTHORIZATION", ""),
            remote_addr=environ.get("REMOTE_ADDR", ""),
        ):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"Metrics need an allow-listed network or the metrics token.\n"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [process_metrics() + generate_latest(extra)]

    return app


def start_metrics_server(*, port: int, collectors=()) -> None:
    """Serve `metrics_wsgi_app` on 0.0.0.0:`port` from a daemon thread."""
    server = make_server(
        "0.0.0.0",  # noqa: S104 - scraped from other hosts; guarded by the access rule
        port,
        metrics_wsgi_app(collectors),
        ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    logger.info("metrics served on port %s", port)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        """Scrapes every few seconds are not worth a log line each."""
