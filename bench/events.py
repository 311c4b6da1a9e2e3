"""Publish-to-handled latency and throughput of the event bus through the
real broker and a real Celery worker, beside a bare Celery task round trip
measured in the same run on the same queue and worker. Not a test.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/shop_wt_eventbus \\
      DATABASE_ROUTING=per-app CELERY_BROKER_URL=redis://127.0.0.1:6379/1
    .venv/bin/python manage.py migrate_all
    .venv/bin/python -m bench.events --seconds 60 --rate 20

Each phase sends at a fixed rate for --seconds (the bare task first, then
events, each published in its own committed transaction), then waits (bounded)
for the worker to drain. Latency: publish (occurred_at) or send -> handler
start. Throughput: handled / (last handled - first sent). Backlog: how many
were still unhandled when sending stopped, in seconds of traffic.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def pace(rate: float, seconds: float, send, count_handled) -> tuple[int, int]:
    """Call `send()` `rate` times a second for `seconds`; returns (sent,
    unhandled when sending stopped)."""
    interval = 1.0 / rate
    started = time.perf_counter()
    sent = 0
    while (now := time.perf_counter()) - started < seconds:
        due = started + sent * interval
        if now < due:
            time.sleep(due - now)
        send()
        sent += 1
    return sent, sent - count_handled()


def drain(count_handled, expected: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while count_handled() < expected and time.monotonic() < deadline:
        time.sleep(0.05)


def figures(name: str, samples: list[bytes], sent: int, backlog: int, seconds: float):
    rate = sent / seconds  # achieved, which may be below --rate
    pairs = [tuple(map(float, s.split())) for s in samples]
    latencies = [(done - start) * 1000 for start, done in pairs]
    span = max(done for _, done in pairs) - min(start for start, _ in pairs)
    result = {
        "name": name,
        "sent": sent,
        "rate": rate,
        "handled": len(pairs),
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "throughput": len(pairs) / span if span else float("nan"),
        "backlog": backlog,
        "backlog_s": backlog / rate,
    }
    print(
        f"{name:<6} sent={sent} ({rate:.1f}/s) handled={result['handled']} "
        f"p50={result['p50_ms']:.1f}ms p95={result['p95_ms']:.1f}ms "
        f"throughput={result['throughput']:.1f}/s "
        f"backlog at end of sending={backlog} ({result['backlog_s']:.2f}s of traffic)"
    )
    return result


def start_worker(concurrency: int) -> subprocess.Popen:
    from bench.worker_app import app

    name = f"bench-{uuid.uuid4().hex[:6]}@localhost"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            *("-A", "bench.worker_app", "worker", "-Q", "catalog", "-n", name),
            *("-c", str(concurrency), "-P", "prefork", "-l", "warning"),
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("bench worker exited")
        if app.control.ping(destination=[name], timeout=0.5):
            return process
    process.terminate()
    raise SystemExit("bench worker not ready in 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=50.0, help="messages/s")
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Persistent connections as in production (a new one per task dominates).
    os.environ.setdefault("CONN_MAX_AGE", "60")
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from apps.common.db import alias_for
    from apps.eventbus.api import publish
    from apps.users.events import UserRegistered
    from bench.worker_app import (
        BARE_KEY,
        EVENT_KEY,
        _redis,
        bare,
        subscribe_bench_consumer,
    )

    if settings.EVENTS_DELIVERY != "celery":
        raise SystemExit("set CELERY_BROKER_URL: the bench needs the real broker")
    subscribe_bench_consumer()
    store = _redis()
    store.delete(BARE_KEY, EVENT_KEY)
    worker = start_worker(args.concurrency)
    try:
        users = alias_for("users")

        commit_ms = []

        def send_event():
            started = time.perf_counter()
            with transaction.atomic(using=users):
                publish(UserRegistered(user_id=uuid.uuid4(), email="b@x.com"))
            commit_ms.append((time.perf_counter() - started) * 1000)

        results = []
        for name, key, send in (
            (
                "bare",
                BARE_KEY,
                lambda: bare.apply_async((time.time(),), queue="catalog"),
            ),
            ("events", EVENT_KEY, send_event),
        ):

            def count(key=key):
                return store.llen(key)

            sent, backlog = pace(args.rate, args.seconds, send, count)
            drain(count, sent, timeout=max(30.0, args.seconds))
            results.append(
                figures(name, store.lrange(key, 0, -1), sent, backlog, args.seconds)
            )
        bare_r, event_r = results
        print(
            f"publisher side (publish + commit + hand-over, inside the events "
            f"latency): p50={statistics.median(commit_ms):.1f}ms "
            f"p95={percentile(commit_ms, 0.95):.1f}ms"
        )
        print(
            f"ratio events/bare: p50 {event_r['p50_ms'] / bare_r['p50_ms']:.2f}x, "
            f"p95 {event_r['p95_ms'] / bare_r['p95_ms']:.2f}x, throughput "
            f"{event_r['throughput'] / bare_r['throughput']:.2f}x; "
            f"target rate {args.rate:g}/s for {args.seconds:g}s each, "
            f"worker concurrency {args.concurrency}"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        store.delete(BARE_KEY, EVENT_KEY)


if __name__ == "__main__":
    main()
