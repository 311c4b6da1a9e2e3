"""A private stack for fault injection: its own PostgreSQL cluster (initdb in
a temporary directory, port 8183), its own redis-servers (broker on port 8182
with an append-only file, cache on port 8184), gunicorn (port 8181), one Celery
worker on every queue and beat.

The cache has a Redis of its own: DRF's throttles read the cache on every
order and fail with a 500 when it is down (reported), so stopping "Redis" here
means stopping the broker.

The shared PostgreSQL and Redis that other test runs use are never touched.
"""

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from apps.common.jwt_keys import private_key_pem_new
from bench import data, faultkit
from bench.driver import Client
from stack.procs import (
    ROOT,
    PrivatePostgres,
    PrivateRedis,
    ProcessGroup,
    manage,
    start_beat,
    start_web,
    start_worker,
    wait_for,
)

WEB_PORT, REDIS_PORT, PG_PORT, CACHE_PORT = 8181, 8182, 8183, 8184
# Two relay periods must cover Celery's own reconnect back-off (2 s steps: a
# worker comes back up to ~12 s after a 30 s broker outage) plus the backlog.
RELAY_SECONDS = 10.0
QUEUES = ["users", "catalog", "inventory", "orders"]
PRODUCTS = 6
STOCK = 10_000


@dataclass
class Stack:
    env: dict
    group: ProcessGroup
    postgres: PrivatePostgres
    redis: PrivateRedis
    client: Client
    staff_token: str
    customer_tokens: list[str]
    product_ids: list[str]
    relay_seconds: float = RELAY_SECONDS

    def kit(self, *args: str, timeout: float = 120) -> dict:
        return faultkit.run(self.env, *args, timeout=timeout)

    def reconcile(self, order_ids, *, timeout: float = 30) -> dict:
        """Waits (bounded) for the bus to go quiet; returns the last report."""
        return faultkit.reconciled(self.env, order_ids, timeout=timeout)

    def pid_of(self, name: str) -> int:
        return self.group.procs[name].pid

    def queues_drained(self) -> bool:
        def llen(*command):
            done = subprocess.run(
                ["redis-cli", "-p", str(REDIS_PORT), *command],
                capture_output=True,
                text=True,
                check=False,
            )
            return int(done.stdout.strip() or 0)

        waiting = sum(llen("llen", queue) for queue in QUEUES)
        return waiting == 0 and llen("hlen", "unacked") == 0


def stack_env(postgres: PrivatePostgres) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "CACHE_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="faults-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        JWT_PRIVATE_KEY=private_key_pem_new(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=postgres.url("shop_faults"),
        DATABASE_ROUTING="per-app",
        CELERY_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        CACHE_URL=f"redis://127.0.0.1:{CACHE_PORT}/0",
        ORDERS_PAYMENT_GATEWAY="apps.orders.gateway.TestGateway",
        EVENTS_RELAY_INTERVAL_SECONDS=str(RELAY_SECONDS),
        JWT_ACCESS_MINUTES="60",
        THROTTLE_LOGIN_IP="100000/min",
        THROTTLE_LOGIN_ACCOUNT="100000/min",
        THROTTLE_LOGIN_ACCOUNT_CLIENT="100000/min",
        ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT="1000000",
        THROTTLE_ORDER_PLACE="100000/min",
        THROTTLE_REGISTER="100000/min",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.fixture(scope="session")
def stack():
    base = Path(tempfile.mkdtemp(prefix="shop-faults-"))
    group = ProcessGroup(base / "logs")
    postgres = PrivatePostgres(port=PG_PORT)
    redis = PrivateRedis(group, port=REDIS_PORT, data_dir=base / "redis")
    cache = PrivateRedis(group, port=CACHE_PORT, data_dir=base / "cache")
    try:
        postgres.init()
        postgres.start()
        redis.start()
        cache.start()
        env = stack_env(postgres)
        manage(env, "migrate_all")
        start_web(group, env, port=WEB_PORT, workers=2)
        start_worker(group, env, name="all", queues=QUEUES, concurrency=4)
        start_beat(group, env, schedule_dir=base)
        client = Client(WEB_PORT, timeout=10)
        staff = data.ensure_staff(env, client)
        customers = data.ensure_customers(client)[:4]
        product_ids = data.stocked_products(
            client, staff, count=PRODUCTS, stock=STOCK, prefix="FAULT"
        )
        yield Stack(
            env=env,
            group=group,
            postgres=postgres,
            redis=redis,
            client=client,
            staff_token=staff,
            customer_tokens=[data.token(client, *c) for c in customers],
            product_ids=product_ids,
        )
    except Exception:
        sys.stderr.write(f"\nfault stack logs: {base / 'logs'}\n")
        raise
    finally:
        group.stop_all()
        postgres.destroy()


def settled(stack: Stack, order_ids, *, timeout: float) -> float | None:
    """Seconds until every order left `pending`, or None after `timeout`."""
    started = time.monotonic()
    remaining = set(order_ids)

    def check():
        for order_id in list(remaining):
            status, body, _ = stack.client.request(
                "GET", f"/api/v1/orders/{order_id}/", token=stack.staff_token
            )
            if status == 200 and body["status"] != "pending":
                remaining.discard(order_id)
            elif status == 200:
                return False
        return not remaining

    try:
        wait_for(check, timeout=timeout, interval=0.25, what="orders settled")
    except TimeoutError:
        return None
    return time.monotonic() - started
