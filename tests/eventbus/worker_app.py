"""Celery app for the test worker: the project's app plus the probe consumer
(`celery -A tests.eventbus.worker_app worker`)."""

from celery.signals import worker_process_init

from config.celery import app

__all__ = ["app"]


@worker_process_init.connect
def _subscribe_probe(**kwargs):
    from tests.eventbus import probe

    probe.register()
