"""Reservations per second on one hot product, next to a bare conditional UPDATE.

Not a test. Against PostgreSQL (run `manage.py migrate_all` first), e.g.:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shop_wt_inventory \\
    DATABASE_ROUTING=per-app .venv/bin/python bench/reserve.py --seconds 3

For 1, 8 and 32 concurrent clients (threads, or processes with
--processes; one connection each) it measures
for `--seconds` each:
- service: `stock_reserve` of one unit of one hot product for a new order, the
  whole transaction (reservation and line rows, ledger row, StockReserved and
  StockLevelChanged outbox rows, the conditional UPDATE, commit);
- bare: one autocommitted `UPDATE ... SET reserved = reserved + 1 WHERE
  product_id = %s AND on_hand - reserved >= 1` on a scratch table of the same
  shape, created and dropped by this script.
Events stay in the outbox (after-commit dispatch is switched off), so the
figures are the database's. Each run uses a fresh product; its reservations
are left to expire.
"""

import argparse
import multiprocessing
import os
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402

from apps.common.db import alias_for  # noqa: E402
from apps.eventbus import outbox  # noqa: E402
from apps.inventory import services  # noqa: E402

BARE_TABLE = "bench_inventory_hot_row"


def run_clients(clients: int, seconds: float, work, *, processes: bool) -> int:
    """Call `work()` from `clients` threads (or forked processes, which share
    no GIL), one connection each, for `seconds`; returns the calls made."""
    connections.close_all()  # no connection may be shared across a fork
    context = multiprocessing.get_context("fork")
    sync = context if processes else threading
    start = sync.Barrier(clients + 1)
    stop = sync.Event()
    counts = context.Array("q", clients) if processes else [0] * clients

    def client(index):
        try:
            start.wait(timeout=60)
            while not stop.is_set():
                work()
                counts[index] += 1
        finally:
            connections.close_all()

    runner = context.Process if processes else threading.Thread
    workers = [runner(target=client, args=(i,)) for i in range(clients)]
    for worker in workers:
        worker.start()
    start.wait(timeout=60)
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join(timeout=60)
    if processes and any(worker.exitcode != 0 for worker in workers):
        raise SystemExit("a client failed")
    return sum(counts)


def service_work(product_id):
    def work():
        reservation = services.stock_reserve(
            order_id=uuid.uuid4(), lines=[(product_id, 1)], actor="bench"
        )
        assert reservation.status == "active", "the hot product ran out"

    return work


def bare_work(product_id):
    def work():
        with connections[alias_for("inventory")].cursor() as cursor:
            cursor.execute(
                f"UPDATE {BARE_TABLE} SET reserved = reserved + 1, version = version + 1"
                " WHERE product_id = %s AND on_hand - reserved >= 1",
                [product_id],
            )
            assert cursor.rowcount == 1

    return work


def hot_product() -> uuid.UUID:
    product_id = uuid.uuid4()
    services.stock_item_create(product_id=product_id)
    services.stock_adjust(
        product_id=product_id,
        delta=services.MAX_QUANTITY,
        reason="bench",
        actor="bench",
        kind=services.Kind.RECEIPT,
    )
    return product_id


def create_bare_table(cursor) -> uuid.UUID:
    cursor.execute(
        f"CREATE TABLE {BARE_TABLE} (product_id uuid PRIMARY KEY,"
        " on_hand integer NOT NULL, reserved integer NOT NULL,"
        " version bigint NOT NULL, CHECK (reserved >= 0),"
        " CHECK (on_hand >= reserved))"
    )
    product_id = uuid.uuid4()
    cursor.execute(
        f"INSERT INTO {BARE_TABLE} VALUES (%s, %s, 0, 0)", [product_id, 10**9]
    )
    return product_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument(
        "--processes", action="store_true", help="clients are processes, not threads"
    )
    args = parser.parse_args()

    connection = connections[alias_for("inventory")]
    if connection.vendor != "postgresql":
        sys.exit("bench/reserve.py measures PostgreSQL; set DATABASE_URL")
    outbox.dispatch_after_commit = lambda alias, row_id: None

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        bare_id = create_bare_table(cursor)
    print(
        f"PostgreSQL {connection.pg_version}, database {connection.settings_dict['NAME']},"
        f" {os.cpu_count()} CPUs, {args.seconds:g} s per measurement,"
        f" clients are {'processes' if args.processes else 'threads'}"
    )
    print(f"{'clients':>7} {'service/s':>10} {'bare/s':>10} {'ratio':>6}")
    try:
        for clients in args.clients:
            service = run_clients(
                clients,
                args.seconds,
                service_work(hot_product()),
                processes=args.processes,
            )
            bare = run_clients(
                clients, args.seconds, bare_work(bare_id), processes=args.processes
            )
            service_rate, bare_rate = service / args.seconds, bare / args.seconds
            print(
                f"{clients:>7} {service_rate:>10.0f} {bare_rate:>10.0f}"
                f" {service_rate / bare_rate:>6.2f}"
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        connections.close_all()


if __name__ == "__main__":
    main()
