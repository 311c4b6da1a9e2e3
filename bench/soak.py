"""`make soak`: a mixed shopper load at half the measured capacity, bounded.

Starts the same private stack as `make bench` (bench/run.py: database, Redis
databases, port and their options; the data is reused when present), measures
the capacity of the shopper mix for SOAK_CAPACITY_SECONDS (30) with as many
clients as wrk uses, or takes SOAK_RATE (requests per second), then drives
half of it for SOAK_MINUTES (10) and prints, per minute: throughput, p50 and
p99 latency, errors, and the resident memory of every process (gunicorn and
its workers, each Celery worker and its pool, beat).

The mix, per request: browse the listing (a random page or ordering), a
product's detail, search, log in, place an order (one line, 201 expected).
Requests are sent on a fixed schedule (open loop) and latency counts from the
scheduled moment, so a server that falls behind shows it.

Gunicorn's workers are not recycled (WEB_MAX_REQUESTS=0), so the memory of
every process is one process's from start to end.

Exits 1 on any error answer (or socket error), when p99 of the last minute
exceeds 1.5 x the first minute's, or when the resident memory of a process
(a group member with the processes it started) grows by more than 10 % from
the end of the first minute to the end of the last.
"""

import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench import data
from bench.driver import Client, percentile
from bench.memory import Memory, group_memory
from bench.run import (
    check_services,
    parse_args,
    prepare_database,
    stack_env,
    start_stack,
)
from bench.scenarios import SHIPPING_ADDRESS
from stack.procs import ProcessGroup

MIX = (("listing", 40), ("detail", 30), ("search", 10), ("login", 10), ("order", 10))
P99_DRIFT = 1.5
RSS_GROWTH = 0.10
CLIENT_THREADS = 48


@dataclass
class Minute:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    memory: list[Memory] = field(default_factory=list)


class Shopper:
    """One request of the mix: (ok, description)."""

    def __init__(self, fx: data.Fixture, port: int):
        self.fx, self.client = fx, Client(port, timeout=30)
        self.choose = random.Random(7)
        self.kinds = [kind for kind, weight in MIX for _ in range(weight)]

    def kind(self) -> str:
        return self.choose.choice(self.kinds)

    def do(self, kind: str) -> tuple[bool, str]:
        fx, rng = self.fx, random.Random()
        if kind == "listing":
            ordering = rng.choice(["", "&ordering=price", "&ordering=-price"])
            path = f"/api/v1/catalog/products/?page={rng.randint(1, 30)}{ordering}"
            status, _, _ = self.client.request("GET", path)
            return status == 200, f"{status} GET {path}"
        if kind == "detail":
            path = f"/api/v1/catalog/products/{rng.choice(fx.product_ids)}/"
            status, _, _ = self.client.request("GET", path)
            return status == 200, f"{status} GET {path}"
        if kind == "search":
            path = f"/api/v1/catalog/products/?search={rng.randint(0, 999):03d}"
            status, _, _ = self.client.request("GET", path)
            return status == 200, f"{status} GET {path}"
        if kind == "login":
            email, password = rng.choice(fx.customers)
            status, _, _ = self.client.request(
                "POST", "/api/v1/auth/token/", {"email": email, "password": password}
            )
            return status == 200, f"{status} POST token"
        status, body, _ = self.client.request(
            "POST",
            "/api/v1/orders/",
            {
                "items": [{"product_id": rng.choice(fx.product_ids), "quantity": 1}],
                "shipping_address": SHIPPING_ADDRESS,
            },
            token=rng.choice(fx.customer_tokens),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        return status == 201, f"{status} POST order {body if status != 201 else ''}"


def capacity(shopper: Shopper, *, seconds: float, clients: int) -> float:
    """Requests per second of the mix with `clients` clients sending back to back."""
    deadline = time.monotonic() + seconds
    done = [0]
    lock = threading.Lock()

    def loop():
        while time.monotonic() < deadline:
            shopper.do(shopper.kind())
            with lock:
                done[0] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(loop) for _ in range(clients)]:
            future.result()
    return done[0] / (time.monotonic() - started)


def soak(shopper: Shopper, group, *, rate: float, minutes: int) -> list[Minute]:
    """`rate` requests per second on a fixed schedule for `minutes` minutes."""
    results = [Minute() for _ in range(minutes)]
    lock = threading.Lock()
    started = time.monotonic()
    end = started + 60 * minutes

    def send(kind: str, due: float) -> None:
        ok, what = shopper.do(kind)
        latency = time.monotonic() - due
        minute = results[min(int((due - started) // 60), minutes - 1)]
        with lock:
            minute.latencies.append(latency)
            if not ok:
                minute.errors += 1
                if len(minute.error_samples) < 5:
                    minute.error_samples.append(what)

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        n, next_minute = 0, 1
        while True:
            due = started + n / rate
            if due >= end:
                break
            while time.monotonic() >= started + 60 * next_minute:
                results[next_minute - 1].memory = group_memory(group)
                report_minute(next_minute, results[next_minute - 1])
                next_minute += 1
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, shopper.kind(), due)
            n += 1
    results[-1].memory = group_memory(group)
    report_minute(minutes, results[-1])
    return results


def roles(memory: list[Memory]) -> dict[str, float]:
    """MiB per group member, the processes it started included (gunicorn
    recycles its workers: a worker's pid does not live through a soak)."""
    totals: dict[str, float] = {}
    for m in memory:
        role = m.process.split(" ", 1)[0]
        totals[role] = totals.get(role, 0.0) + m.rss_mib
    return totals


def report_minute(number: int, minute: Minute) -> None:
    lat = minute.latencies
    memory = ", ".join(f"{m.process} {m.rss_mib:.0f}" for m in minute.memory)
    print(
        f"soak: minute {number}: {len(lat) / 60:.1f} req/s, p50 "
        f"{percentile(lat, 50) * 1000:.1f} ms, p99 {percentile(lat, 99) * 1000:.1f} ms, "
        f"errors {minute.errors}; RSS MiB: {memory}",
        flush=True,
    )
    for sample in minute.error_samples:
        print(f"soak:   error: {sample[:200]}", flush=True)


def verdict(results: list[Minute]) -> list[str]:
    """What failed the soak (empty: it passed)."""
    failures = []
    errors = sum(m.errors for m in results)
    if errors:
        failures.append(f"{errors} error answers")
    if len(results) < 2:
        return failures
    first, last = results[0], results[-1]
    p99_first = percentile(first.latencies, 99)
    p99_last = percentile(last.latencies, 99)
    if p99_last > P99_DRIFT * p99_first:
        failures.append(
            f"p99 of the last minute {p99_last * 1000:.1f} ms > {P99_DRIFT} x the "
            f"first's {p99_first * 1000:.1f} ms"
        )
    before, after = roles(first.memory), roles(last.memory)
    for role, mib in after.items():
        if role in before and mib > (1 + RSS_GROWTH) * before[role]:
            failures.append(
                f"{role}: RSS {before[role]:.0f} -> {mib:.0f} MiB "
                f"(> {RSS_GROWTH:.0%} growth)"
            )
    return failures


def main(argv=None) -> int:
    args = parse_args(argv)
    minutes = int(os.environ.get("SOAK_MINUTES", "10"))
    fixed_rate = float(os.environ.get("SOAK_RATE", "0"))
    capacity_seconds = float(os.environ.get("SOAK_CAPACITY_SECONDS", "30"))
    check_services(args)
    # Web workers are never recycled here: recycling would hide a leak, and a
    # fresh worker's warm-up (100 to about 250 MiB) would read as growth.
    env = {**stack_env(args), "WEB_MAX_REQUESTS": "0"}
    group = ProcessGroup(Path(tempfile.mkdtemp(prefix="shop-soak-")))

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    try:
        existing = prepare_database(args, env)
        server = start_stack(group, env, args)
        print(f"soak: {server}; logs in {group.log_dir}", flush=True)
        fixture = data.load(
            env, port=args.port, products=args.products, existing=existing
        )
        shopper = Shopper(fixture, args.port)
        if fixed_rate:
            rate = fixed_rate
            print(f"soak: SOAK_RATE {rate:.1f} req/s", flush=True)
        else:
            measured = capacity(
                shopper, seconds=capacity_seconds, clients=args.connections
            )
            rate = measured / 2
            print(
                f"soak: capacity {measured:.1f} req/s ({args.connections} clients, "
                f"{capacity_seconds:.0f} s); driving {rate:.1f} req/s for "
                f"{minutes} min",
                flush=True,
            )
        results = soak(shopper, group, rate=rate, minutes=minutes)
        failures = verdict(results)
        for failure in failures:
            print(f"soak: FAILED: {failure}", flush=True)
        print("soak: " + ("failed" if failures else "passed"), flush=True)
        return 1 if failures else 0
    except KeyboardInterrupt:
        print("soak: interrupted, stopping every process it started", file=sys.stderr)
        return 130
    finally:
        group.stop_all()


if __name__ == "__main__":
    sys.exit(main())
