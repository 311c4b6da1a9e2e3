"""Fault injection against a private stack (services mode only).

Each test prints one figure line and ends with the reconciliation: inventory
invariants, every acknowledged order exists and none is stuck pending, no
unsent outbox row, exactly one inbox row per event and consumer, no dead
letter.
"""

import os
import threading
import time

import pytest

from bench.scenarios import SHIPPING_ADDRESS
from stack.procs import http_status, kill_pool_children, wait_for
from tests.faults.conftest import WEB_PORT, settled
from tests.figures import report_figure

pytestmark = [pytest.mark.faults, pytest.mark.slow]

REDIS_OUTAGE_SECONDS = float(os.environ.get("FAULTS_REDIS_OUTAGE_SECONDS", "30"))
PG_OUTAGE_SECONDS = 6.0


def place(stack, n: int):
    """(status, order id or None, seconds, response body)."""
    status, body, seconds = stack.client.request(
        "POST",
        "/api/v1/orders/",
        {
            "items": [
                {
                    "product_id": stack.product_ids[n % len(stack.product_ids)],
                    "quantity": 1,
                }
            ],
            "shipping_address": SHIPPING_ADDRESS,
        },
        token=stack.customer_tokens[n % len(stack.customer_tokens)],
    )
    order_id = body.get("id") if status == 201 and body else None
    return status, order_id, seconds, body


def seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}s"


def assert_reconciled(stack, order_ids) -> dict:
    report = stack.reconcile(order_ids)
    assert report["problems"] == [], report
    assert report["inbox_rows"] == report["inbox_expected"], report
    return report


def test_orders_are_acknowledged_and_confirmed_across_a_redis_outage(stack, capsys):
    results = []
    stack.redis.stop()
    try:
        deadline = time.monotonic() + REDIS_OUTAGE_SECONDS
        n = 0
        while time.monotonic() < deadline:
            results.append(place(stack, n))
            n += 1
            time.sleep(1.0)
    finally:
        stack.redis.start()
    back = time.monotonic()
    order_ids = [order_id for _, order_id, _, _ in results if order_id]

    confirmed_after = settled(stack, order_ids, timeout=4 * stack.relay_seconds)
    slowest = max(seconds for _, _, seconds, _ in results)
    report_figure(
        capsys,
        f"faults[redis down {REDIS_OUTAGE_SECONDS:.0f}s]: {len(results)} orders placed, "
        f"{len(order_ids)} acknowledged, slowest answer {slowest:.2f}s, all settled "
        f"{seconds(confirmed_after)} after Redis returned (relay period {stack.relay_seconds:.0f}s)",
    )
    assert [status for status, *_ in results] == [201] * len(results)
    assert slowest < 5.0
    assert confirmed_after is not None
    assert confirmed_after <= 2 * stack.relay_seconds
    assert time.monotonic() - back < 60
    report = assert_reconciled(stack, order_ids)
    assert report["orders"] == {"confirmed": len(order_ids)}


def test_a_worker_killed_mid_event_loses_and_doubles_nothing(stack, capsys):
    worker = stack.pid_of("worker-all")
    results, kills = [], 0

    def burst():
        for n in range(40):
            results.append(place(stack, n))

    placing = threading.Thread(target=burst)
    placing.start()
    try:
        kills = kill_pool_children(worker, kills=4, pause=0.7)
    finally:
        placing.join(120)
    order_ids = [order_id for _, order_id, _, _ in results if order_id]

    settle_seconds = settled(stack, order_ids, timeout=60)
    report_figure(
        capsys,
        f"faults[worker SIGKILL]: {kills} pool processes killed during {len(results)} "
        f"orders, all settled after {seconds(settle_seconds)}",
    )
    assert kills >= 4
    assert [status for status, *_ in results] == [201] * 40
    assert settle_seconds is not None
    report = assert_reconciled(stack, order_ids)
    assert report["orders"] == {"confirmed": 40}


def test_postgres_restart_answers_503_and_recovers_by_itself(stack, capsys):
    gunicorn, worker = stack.pid_of("gunicorn"), stack.pid_of("worker-all")
    answers, stop = [], threading.Event()

    def load():
        n = 0
        while not stop.is_set():
            status, body, _ = stack.client.request("GET", "/api/v1/catalog/products/")
            answers.append(("list", status, body, None))
            status, order_id, _, body = place(stack, n)
            answers.append(("order", status, body, order_id))
            n += 1

    loader = threading.Thread(target=load)
    loader.start()
    try:
        time.sleep(1.5)
        stack.postgres.stop()
        down_at = time.monotonic()
        time.sleep(PG_OUTAGE_SECONDS / 2)
        ready_during_outage = http_status(f"http://127.0.0.1:{WEB_PORT}/readyz")
        time.sleep(PG_OUTAGE_SECONDS / 2)
        stack.postgres.start()
        outage = time.monotonic() - down_at
        recovered = wait_for(
            lambda: http_status(f"http://127.0.0.1:{WEB_PORT}/readyz") == 200,
            timeout=30,
            what="/readyz 200",
        )
        time.sleep(2)
    finally:
        stop.set()
        loader.join(30)
    failures = [a for a in answers if a[1] != 200 and a[1] != 201]
    order_ids = [order_id for *_, order_id in answers if order_id]
    settle_seconds = settled(stack, order_ids, timeout=6 * stack.relay_seconds)
    report_figure(
        capsys,
        f"faults[postgres restart {outage:.1f}s]: {len(answers)} requests, "
        f"{len(failures)} answered 503 during the outage, /readyz "
        f"{ready_during_outage} while down, {len(order_ids)} orders acknowledged, "
        f"settled {seconds(settle_seconds)} after recovery",
    )
    assert recovered
    assert ready_during_outage == 503
    assert failures, "no request hit the outage"
    for kind, status, body, _ in failures:
        assert status == 503, (kind, status, body)
        assert body["status"] == 503 and "Traceback" not in str(body), body
    last_list, last_order = (
        [a for a in answers if a[0] == kind][-1] for kind in ("list", "order")
    )
    assert (last_list[1], last_order[1]) == (200, 201)
    assert (
        stack.pid_of("gunicorn") == gunicorn
        and stack.group.procs["gunicorn"].poll() is None
    )
    assert stack.pid_of("worker-all") == worker
    assert stack.group.procs["worker-all"].poll() is None
    assert settle_seconds is not None
    assert_reconciled(stack, order_ids)


def test_replaying_every_outbox_event_three_times_changes_nothing(stack, capsys):
    before = stack.kit("snapshot")
    reconciled = stack.reconcile([])
    inbox_before = reconciled["inbox_rows"]

    replay = stack.kit("replay", "3")
    started = time.monotonic()
    wait_for(stack.queues_drained, timeout=120, interval=0.5, what="queues drained")
    drained = time.monotonic() - started

    after = stack.kit("snapshot")
    report = assert_reconciled(stack, [])
    report_figure(
        capsys,
        f"faults[replay x3]: {replay['events']} outbox events, {replay['messages']} "
        f"redelivered messages drained in {drained:.1f}s, {len(after)} business tables "
        f"unchanged, inbox rows {inbox_before} -> {report['inbox_rows']}",
    )
    assert replay["messages"] == 3 * reconciled["inbox_expected"] > 0
    assert after == before
    assert report["inbox_rows"] == inbox_before
