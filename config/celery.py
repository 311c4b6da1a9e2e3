"""The Celery app (`celery -A config worker|beat`)."""

import os

from celery import Celery
from celery.signals import (
    task_postrun,
    task_prerun,
    worker_process_shutdown,
    worker_ready,
)

from apps.eventbus.redis_channel import reuse_one_client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class ShopCelery(Celery):
    def connection_for_read(self, url=None, **kwargs):
        """The worker's consuming connection, with one Redis client for its
        commands (each message received and acked is two) instead of kombu's
        new client per command."""
        connection = super().connection_for_read(url, **kwargs)
        reuse_one_client(connection)
        return connection


app = ShopCelery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _check_database_connections(**kwargs):
    # The one place tasks check their connections: drop those that broke (e.g.
    # PostgreSQL restarted) or outlived CONN_MAX_AGE, before and after every task
    # (eager `apply()` runs included).
    from django.db import close_old_connections

    close_old_connections()


@worker_ready.connect
def _serve_worker_metrics(sender, **kwargs):
    # Handlers run here, not in web: their counters are scraped from the
    # worker itself (entrypoint.sh sets the port and the multiprocess dir).
    port = os.environ.get("WORKER_METRICS_PORT")
    if port:
        from apps.common.metrics import ConsumedQueuesCollector, start_metrics_server

        queues = sender.app.amqp.queues.consume_from or sender.app.amqp.queues
        collector = ConsumedQueuesCollector(list(queues))
        start_metrics_server(port=int(port), collectors=[collector])


@worker_process_shutdown.connect
def _forget_pool_process_metrics(pid, **kwargs):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
