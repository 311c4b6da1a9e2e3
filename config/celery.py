"""The Celery app (`celery -A config worker|beat`)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("shop")
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
