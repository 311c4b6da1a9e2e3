"""Real concurrency: threads with their own connections, committed transactions.
The large runs are PostgreSQL-only (services mode); SQLite serialises writers
but must still be correct, which the small run checks in both modes."""

import io
import random
import threading
import uuid
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connections

from apps.common.db import alias_for
from apps.inventory import services
from apps.inventory.errors import StockBelowReserved
from apps.inventory.models import Reservation, ReservationLine
from tests.inventory.conftest import levels, make_stock

pytestmark = pytest.mark.django_db(transaction=True)
on_postgresql = pytest.mark.services


@pytest.fixture(autouse=True)
def _events_stay_in_the_outbox(monkeypatch):
    # Delivery is not under test here; in-process delivery from fifty threads
    # would open connections to every other app's database too.
    monkeypatch.setattr(
        "apps.eventbus.outbox.dispatch_after_commit", lambda alias, rows: None
    )


def run_together(jobs: list[Callable[[], object]], *, threads: int) -> list:
    """Run `jobs` on `threads` threads started together; returns results or
    the exceptions raised, in job order."""
    results: list = [None] * len(jobs)
    cursor = iter(range(len(jobs)))
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work():
        try:
            start.wait(timeout=30)
            while True:
                with lock:
                    index = next(cursor, None)
                if index is None:
                    return
                try:
                    results[index] = jobs[index]()
                except Exception as exc:  # noqa: BLE001 - asserted by the test
                    results[index] = exc
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers)
    return results


def reserve_job(order_id, lines):
    return lambda: (
        services.stock_reserve(order_id=order_id, lines=lines, actor="test").status
    )


def is_postgresql() -> bool:
    return connections[alias_for("inventory")].vendor == "postgresql"


def test_concurrent_reservations_on_any_database_never_oversell():
    # The embedded default (SQLite) too: fewer threads, same guarantee.
    a = make_stock(3)
    jobs = [reserve_job(uuid.uuid4(), [(a, 1)]) for _ in range(12)]

    results = run_together(jobs, threads=6)

    assert sorted(results) == ["active"] * 3 + ["failed"] * 9
    assert levels(a) == (3, 3)


@on_postgresql
def test_fifty_concurrent_reservations_of_ten_units_never_oversell():
    assert is_postgresql()
    a = make_stock(10)
    jobs = [reserve_job(uuid.uuid4(), [(a, 1)]) for _ in range(50)]

    results = run_together(jobs, threads=50)

    assert sorted(results) == ["active"] * 10 + ["failed"] * 40
    assert levels(a) == (10, 10)
    assert Reservation.objects.filter(status="active").count() == 10
    out = io.StringIO()
    call_command("inventory_reconcile", stdout=out)
    assert out.getvalue() == "stock is consistent\n"


@on_postgresql
def test_crossing_orders_and_adjustments_neither_deadlock_nor_split():
    assert is_postgresql()
    a, b = make_stock(80), make_stock(80)
    rng = random.Random(6)
    jobs = []
    for _ in range(100):
        jobs.append(reserve_job(uuid.uuid4(), [(a, 1), (b, 1)]))
        jobs.append(reserve_job(uuid.uuid4(), [(b, 1), (a, 1)]))
        if rng.random() < 0.3:
            product_id, delta = rng.choice([a, b]), rng.choice([-15, -5, 5, 15])
            jobs.append(
                lambda p=product_id, d=delta: (
                    services.stock_adjust(
                        product_id=p, delta=d, reason="count", actor="test"
                    )
                    and "adjusted"
                )
            )
    rng.shuffle(jobs)
    watching = threading.Event()
    seen_over: list = []

    def watch():
        while not watching.is_set():
            for product_id in (a, b):
                on_hand, reserved = levels(product_id)
                if reserved > on_hand:
                    seen_over.append((product_id, on_hand, reserved))
        connections.close_all()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        results = run_together(jobs, threads=16)
    finally:
        watching.set()
        watcher.join(timeout=30)

    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, StockBelowReserved) for e in errors), errors
    assert set(results) - set(errors) <= {"active", "failed", "adjusted"}
    active = results.count("active")
    assert active + results.count("failed") == 200
    assert active > 0
    assert seen_over == []
    # No partial reservation: every active order holds one A and one B.
    held = ReservationLine.objects.filter(reservation__status="active")
    assert held.filter(product_id=a).count() == held.filter(product_id=b).count()
    assert held.filter(product_id=a).count() == active
    assert levels(a)[1] == levels(b)[1] == active
    out = io.StringIO()
    call_command("inventory_reconcile", stdout=out)
    assert out.getvalue() == "stock is consistent\n"
