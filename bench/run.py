"""`make bench`: a private PostgreSQL-backed stack on 127.0.0.1, 10,000
products with stock, then each scenario against its bare reference.

Private resources: PostgreSQL database `shop_bench` on the local server (its
product images under media/bench/shop_bench/), Redis databases 11 (broker)
and 12 (cache), port 8180. Every load loop is bounded in
time, every process started here is stopped here (also on Ctrl-C or failure).
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from apps.common.jwt_keys import private_key_pem_new
from bench import data, scenarios, split
from bench.memory import group_memory
from bench.memory import table as memory_table
from bench.report import write
from bench.wrk import ensure_wrk
from config import gunicorn as gunicorn_config
from stack.procs import (
    ProcessGroup,
    manage,
    start_beat,
    start_web,
    start_worker,
)

RESULTS = Path(__file__).resolve().parent / "results"
MEDIA = Path(__file__).resolve().parent.parent / "media" / "bench"
QUEUES = ["users", "catalog", "inventory", "orders"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("BENCH_PORT", 8180))
    )
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument(
        "--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 10))
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop_bench"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
    )
    parser.add_argument("--broker-db", type=int, default=11)
    parser.add_argument("--cache-db", type=int, default=12)
    parser.add_argument(
        "--fresh", action="store_true", help="drop the bench database first"
    )
    parser.add_argument(
        "--no-split", action="store_true", help="the monolith's scenarios only"
    )
    return parser.parse_args(argv)


def media_root(args) -> Path:
    """The bench database's image files, kept and dropped with it."""
    return MEDIA / args.database_url.rsplit("/", 1)[1]


def stack_env(args) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "CACHE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.stack_settings",
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        JWT_PRIVATE_KEY=private_key_pem_new(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=args.database_url,
        DATABASE_ROUTING="single",
        CELERY_BROKER_URL=f"{args.redis}/{args.broker_db}",
        CACHE_URL=f"{args.redis}/{args.cache_db}",
        ORDERS_PAYMENT_GATEWAY="apps.orders.gateway.TestGateway",
        JWT_ACCESS_MINUTES="120",
        THROTTLE_LOGIN_IP="1000000/min",
        THROTTLE_LOGIN_ACCOUNT="1000000/min",
        THROTTLE_LOGIN_ACCOUNT_CLIENT="1000000/min",
        ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT="1000000000",
        # A one-second window: DRF keeps a timestamp per request in the window.
        THROTTLE_ORDER_PLACE="100000/s",
        THROTTLE_REGISTER="1000000/min",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # Discards: locmem would keep every message for the life of a worker.
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        MEDIA_STORAGE="local",
        MEDIA_ROOT=str(media_root(args)),
    )
    return env


def check_services(args) -> None:
    host_port = args.redis.split("//", 1)[1]
    host, _, port = host_port.partition(":")
    pong = subprocess.run(
        ["redis-cli", "-h", host, "-p", port or "6379", "ping"],
        capture_output=True,
        text=True,
        check=False,
    )
    if "PONG" not in pong.stdout:
        sys.exit(f"bench: Redis is not reachable at {args.redis}")
    ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False)
    if ready.returncode != 0:
        sys.exit("bench: PostgreSQL is not reachable on 127.0.0.1")
    flush_redis(args)


def flush_redis(args) -> None:
    host, _, port = args.redis.split("//", 1)[1].partition(":")
    for db in (args.broker_db, args.cache_db):
        subprocess.run(
            ["redis-cli", "-h", host, "-p", port or "6379", "-n", str(db), "flushdb"],
            capture_output=True,
            check=True,
        )


def drop_database(args) -> None:
    shutil.rmtree(media_root(args), ignore_errors=True)
    name = args.database_url.rsplit("/", 1)[1]
    subprocess.run(
        [
            "psql",
            args.database_url.rsplit("/", 1)[0] + "/postgres",
            "-qc",
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        ],
        check=True,
        capture_output=True,
    )


def split_rows_of(args, env, *, fixture, rows) -> list:
    print("bench: split mode ...", flush=True)
    monolith_orders = next(
        api for name, api, _ in rows if name == scenarios.ORDERS_SCENARIO
    )
    split_rows = split.run_split(
        env,
        database_url=args.database_url,
        port=args.port,
        seconds=args.seconds,
        monolith=(fixture, monolith_orders),
    )
    for name, api, ref in split_rows:
        print(
            f"bench:   {name}: {api.rps:.1f} / {ref.rps:.1f} per s, p50 "
            f"{api.p50_ms:.1f} / {ref.p50_ms:.1f} ms, p99 {api.p99_ms:.1f} / "
            f"{ref.p99_ms:.1f} ms, errors {api.errors}",
            flush=True,
        )
    return split_rows


def prepare_database(args, env: dict) -> set[str]:
    """Today's tables on a database that holds this code's data set; any other
    data set (or --fresh) is dropped, to be loaded afresh. The SKUs of the
    bench products it keeps."""
    loaded = {}
    if not args.fresh:
        manage(env, "migrate_all")  # an older database gets today's tables first
        loaded = data.existing_products(env, "BENCH-")
        stale = data.outdated(loaded)
        if stale:
            print(
                f"bench: {stale} products of the database are of another data set"
                " (variants or images differ): loading afresh, as with --fresh"
            )
            args.fresh = True
    if args.fresh:
        drop_database(args)
        return set()
    settled = data.earlier_reservations_settle(env)  # only on a database kept
    print(f"bench: {settled} reservations of earlier runs expired first")
    return set(loaded)


def web_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def start_stack(group: ProcessGroup, env: dict, args) -> str:
    """Migrated databases, gunicorn as in production, one Celery worker for
    every queue as in the README's production mode, and beat; says what it
    started."""
    manage(env, "migrate_all")
    manage(env, "collectstatic", "--noinput", "-v0")
    start_web(group, env, port=args.port, workers=web_workers())
    start_worker(group, env, name="all", queues=QUEUES)
    start_beat(group, env, schedule_dir=group.log_dir)
    return (
        f"gunicorn with {web_workers()} workers (2 x {os.cpu_count() or 1} cores + 1) "
        f"of {gunicorn_config.threads} threads each (config/gunicorn.py, as in "
        f"production) on 127.0.0.1:{args.port}, one Celery worker for every queue "
        f"({', '.join(QUEUES)}; pool size as in production: WORKER_CONCURRENCY, "
        "cores + 1), beat"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    if ensure_wrk() is None:
        sys.exit(
            "bench: wrk is required (apt-get install wrk) and could not be installed"
        )
    check_services(args)
    env = stack_env(args)
    log_dir = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    group = ProcessGroup(log_dir)

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    started = time.monotonic()
    try:
        existing = prepare_database(args, env)
        print(f"bench: logs in {log_dir}")
        server = start_stack(group, env, args)
        print(f"bench: {server}")
        workers = web_workers()
        fixture = data.load(
            env, port=args.port, products=args.products, existing=existing
        )
        print(f"bench: data ready after {time.monotonic() - started:.0f}s")
        load = {
            "port": args.port,
            "seconds": args.seconds,
            "connections": args.connections,
        }
        rows = scenarios.run_all(fixture, scenarios=scenarios.SCENARIOS, **load)
        print("bench: web server again with CATALOG_CACHE=off ...", flush=True)
        group.stop("gunicorn")
        start_web(
            group, {**env, "CATALOG_CACHE": "off"}, port=args.port, workers=workers
        )
        rows += scenarios.run_all(
            fixture, scenarios=scenarios.UNCACHED_SCENARIOS, **load
        )
        memory = group_memory(group)
        # The split stack alone on the machine, on fresh broker and cache databases.
        group.stop_all()
        if not args.no_split:
            flush_redis(args)
            rows += split_rows_of(args, env, fixture=fixture, rows=rows)
        setup = (
            f"Stack: {server}, PostgreSQL and Redis "
            f"on the same machine; {fixture.product_count} products ({data.SHAPE}). "
            "wrk: 2 threads, "
            f"{args.connections} connections, {args.seconds}s per run; order flows: "
            f"{scenarios.ORDER_CONCURRENCY} Python client threads."
        )
        notes = [
            *scenarios.NOTES,
            scenarios.search_p50_note(rows),
            scenarios.placement_p50_note(rows),
        ]
        if not args.no_split:
            setup += " " + split.SETUP
            notes.append(split.verdict(rows))
        path = write(
            RESULTS,
            rows,
            setup=setup,
            notes=notes,
            targets=scenarios.TARGETS,
            memory=memory_table(memory),
        )
        print(path.read_text())
        print(f"bench: done in {time.monotonic() - started:.0f}s")
        if not os.environ.get("BENCH_KEEP_LOGS"):
            shutil.rmtree(log_dir, ignore_errors=True)  # kept when something failed
        return 0
    except KeyboardInterrupt:
        print("bench: interrupted, stopping every process it started", file=sys.stderr)
        return 130
    finally:
        group.stop_all()


if __name__ == "__main__":
    sys.exit(main())
