"""Periodic jobs without Celery beat, for the embedded default.

With no broker there is no beat process, yet reservations must still expire
and old idempotency keys go. After a request has been answered, the web
process runs whatever entry of CELERY_BEAT_SCHEDULE is due, locally and one
at a time: the same tasks and intervals as in production.
"""

import logging
import threading
import time
from numbers import Number

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)


class EmbeddedBeat:
    def __init__(self):
        self._lock = threading.Lock()
        self._last_run: dict[str, float] = {}

    def due_entries(self, now: float) -> list[dict]:
        due = []
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            interval = entry["schedule"]
            if not isinstance(interval, Number):
                continue  # crontab schedules need real beat
            last = self._last_run.get(name)
            if last is None or now - last >= interval:
                self._last_run[name] = now
                due.append(entry)
        return due

    def run_due(self) -> int:
        """Run the due jobs; returns how many ran. Never raises."""
        if not self._lock.acquire(blocking=False):
            return 0  # another thread is already on it
        try:
            entries = self.due_entries(time.monotonic())
            for entry in entries:
                self._run(entry)
            return len(entries)
        finally:
            self._lock.release()

    def _run(self, entry: dict) -> None:
        current_app.loader.import_default_modules()
        try:
            current_app.tasks[entry["task"]].apply(
                args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), throw=True
            )
        except Exception:  # noqa: BLE001 - a failed job must not fail a request
            logger.exception("embedded periodic job %s failed", entry["task"])


embedded_beat = EmbeddedBeat()


class EmbeddedBeatMiddleware:
    """Runs due periodic jobs after the response, when EMBEDDED_BEAT is on
    (the default without a broker)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.EMBEDDED_BEAT:
            embedded_beat.run_due()
        return response
