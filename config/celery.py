"""The Celery app (`celery -A config worker|beat`)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

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
