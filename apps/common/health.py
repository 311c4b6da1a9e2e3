"""Liveness and readiness probes."""

import kombu
from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from prometheus_client.core import GaugeMetricFamily

from apps.common.errors import PROBLEM_CONTENT_TYPE, problem


def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok(alias: str) -> bool:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        connections[alias].close_if_unusable_or_obsolete()
        return False


def _broker_ok() -> bool:
    try:
        with kombu.Connection(settings.CELERY_BROKER_URL, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=0, timeout=1)
        return True
    except Exception:  # noqa: BLE001
        return False


def readiness_checks() -> dict[str, bool]:
    checks = {f"database:{alias}": _database_ok(alias) for alias in settings.DATABASES}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _broker_ok()
    return checks


class ReadinessCollector:
    """`readiness_check_up{check}`: /readyz's checks, 1 passing, 0 failing."""

    def collect(self):
        family = GaugeMetricFamily(
            "readiness_check_up",
            "1 while a readiness check (a database, the broker) passes, else 0.",
            labels=["check"],
        )
        for name, ok in readiness_checks().items():
            family.add_metric([name], int(ok))
        yield family


def readyz(request):
    checks = readiness_checks()
    # Which dependency is down is a map of the system: shown only where allowed.
    shown = {"checks": checks} if settings.READYZ_DETAILS_PUBLIC else {}
    if all(checks.values()):
        return JsonResponse({"status": "ready", **shown})
    failing = ", ".join(name for name, ok in checks.items() if not ok)
    detail = f"Unavailable: {failing}" if shown else "A dependency is unavailable."
    body = problem(503, title="Not ready", detail=detail, code="not_ready", **shown)
    return JsonResponse(body, status=503, content_type=PROBLEM_CONTENT_TYPE)
