"""Celery app of the benchmark worker: the project's app, a bare task and a
bench consumer of UserRegistered, each pushing its latency to a Redis list."""

import time

import redis
from celery.signals import worker_process_init
from django.conf import settings

from config.celery import app

BARE_KEY = "bench:events:bare"
EVENT_KEY = "bench:events:event"


def _redis():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


@app.task(name="bench.bare", acks_late=True)
def bare(sent_at: float) -> None:
    _redis().rpush(BARE_KEY, f"{sent_at} {time.time()}")


def on_users_user_registered(event, meta) -> None:
    sent_at = meta.occurred_at.timestamp()
    _redis().rpush(EVENT_KEY, f"{sent_at} {time.time()}")


def subscribe_bench_consumer() -> None:
    from apps.eventbus import registry
    from apps.users.events import UserRegistered

    registry._handlers[UserRegistered.event_type] = {
        "catalog": on_users_user_registered
    }


@worker_process_init.connect
def _subscribe(**kwargs):
    subscribe_bench_consumer()
