"""Checkout benchmark (not a test).

Starts gunicorn (127.0.0.1:8150 by default) and one Celery worker for every app queue on
PostgreSQL (per-app databases) and Redis, then, at 8 and 32 concurrent
clients, POSTs orders for a while and measures
  - POST /api/v1/orders/ requests per second and errors,
  - orders per second from POST to `confirmed` (the saga through the worker),
  - p50/p95 placement-to-confirmed latency (order created_at -> updated_at),
  - CPU per request of gunicorn, the worker, PostgreSQL, Redis and the load
    generator (from /proc, so Linux only),
and, in the same run, the same load on a reference view that inserts the same
order, line and outbox rows with raw SQL. Last, the saga's own capacity:
orders placed with the worker paused, then confirmed with the machine to itself
(`--saga-orders`, 0 skips it; `--clients` with no number runs only that).

    .venv/bin/python bench/checkout.py [--seconds 8] [--clients 8 32] [--isolated]
        [--rounds 2] [--saga-orders 1000]

The environment overrides the databases, broker, cache and port (BENCH_PORT):
    BENCH_PORT=8120 DATABASE_URL=postgres://.../shop_wt_orders2 \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/3 CACHE_URL=redis://127.0.0.1:6379/4 \\
    .venv/bin/python bench/checkout.py

Figures on a shared 2-core machine are noisy; compare ratios within one run.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/shop_wt_orders",
    "DATABASE_ROUTING": "per-app",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/9",
    "CACHE_URL": "redis://127.0.0.1:6379/10",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    # As in `make bench`: the e-mails are rendered, stored and "sent" to nothing.
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}
for name, value in ENV.items():
    os.environ.setdefault(name, value)
QUEUES = ("users", "catalog", "inventory", "orders")
SAGA_CLIENTS = 8  # clients placing the orders of "saga alone"
PORT = int(os.environ.get("BENCH_PORT", "8150"))
BASE = f"http://127.0.0.1:{PORT}"
BIN = ROOT / ".venv" / "bin"
ADDRESS = {
    "name": "Bench",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def start(args: list[str], log: str) -> subprocess.Popen:
    out = open(f"/tmp/orders-bench-{log}.log", "w")  # noqa: SIM115 - kept open by the child
    # Its own process group, so that the worker's pool can be paused with it.
    return subprocess.Popen(
        args, cwd=ROOT, env=os.environ, stdout=out, stderr=out, start_new_session=True
    )


def wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def setup_users(count: int):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import AccessToken

    User = get_user_model()

    def user(email, **extra):
        found = User.objects.filter(email=email).first()
        return found or User.objects.create_user(email, "bench-pass-123456", **extra)

    staff = user("bench-staff@example.com", is_staff=True)
    customers = [user(f"bench{i}@example.com") for i in range(count)]
    token = lambda u: str(AccessToken.for_user(u))  # noqa: E731
    return token(staff), [token(c) for c in customers]


def create_product(staff_token: str) -> str:
    auth = {"Authorization": f"Bearer {staff_token}"}
    sku = f"BENCH-{int(time.time())}"
    product = requests.post(
        f"{BASE}/api/v1/catalog/products/",
        json={"sku": sku, "name": "Bench widget", "price": "9.99", "is_active": True},
        headers=auth,
        timeout=10,
    )
    product.raise_for_status()
    product_id = product.json()["id"]
    deadline = time.monotonic() + 30  # the worker creates the stock item
    while time.monotonic() < deadline:
        adjusted = requests.post(
            f"{BASE}/api/v1/inventory/stock/{product_id}/adjustments/",
            json={"delta": 1_000_000, "reason": "bench"},
            headers=auth,
            timeout=10,
        )
        if adjusted.status_code in (200, 201):
            return product_id
        time.sleep(0.3)
    raise RuntimeError(f"no stock item for {product_id}: {adjusted.text}")


PROCESS_KINDS = (
    ("gunicorn", "gunicorn"),
    ("celery", "worker"),
    ("postgres", "postgresql"),
    ("redis-server", "redis"),
)


def cpu_seconds_by_process() -> dict[int, tuple[str, float]]:
    """pid -> (kind, CPU seconds so far) of the stack's processes on this
    machine and of this load generator (Linux /proc; matched by command line,
    so another stack's processes on a shared machine count too)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in map(int, filter(str.isdigit, os.listdir("/proc"))):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                command = file.read().decode(errors="replace")
            with open(f"/proc/{pid}/stat") as file:
                fields = file.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        kind = next((k for word, k in PROCESS_KINDS if word in command), None)
        if pid == os.getpid():
            kind = "load generator"
        if kind:
            found[pid] = (kind, (int(fields[11]) + int(fields[12])) / tick)
    return found


def cpu_spent(before: dict[int, tuple[str, float]]) -> Counter:
    """CPU seconds per kind since `before`, of the processes alive now (one
    that ended in between, e.g. a closed database session, is not counted)."""
    spent: Counter = Counter()
    for pid, (kind, seconds) in cpu_seconds_by_process().items():
        spent[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    return spent


def in_client_threads(tokens, work, join_timeout: float | None = None) -> None:
    """`work(session, index)` in one thread per token, each with its own HTTP
    session authenticated by that token; returns when all have ended."""

    def client(token, index):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        work(session, index)

    threads = [
        threading.Thread(target=client, args=(token, index))
        for index, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join_timeout)


def post_status(session, url, body) -> int:
    """The answer's status, 599 for a request that got none."""
    try:
        return session.post(url, json=body, timeout=30).status_code
    except requests.RequestException:
        return 599


def load(url, tokens, body, seconds) -> dict:
    cpu_before = cpu_seconds_by_process()
    stop_at = time.monotonic() + seconds
    statuses: list[int] = []
    latencies: list[float] = []

    def client(session, _index):
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            status = post_status(session, url, body)
            latencies.append(time.perf_counter() - started)
            statuses.append(status)

    in_client_threads(tokens, client, join_timeout=seconds + 60)
    ok = sum(1 for s in statuses if s == 201)
    cpu = cpu_spent(cpu_before)
    return {
        "rps": ok / seconds,
        "errors": len(statuses) - ok,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0,
        "cpu_ms": {kind: 1000 * used / max(ok, 1) for kind, used in cpu.items()},
    }


def confirmed_figures(since, placed: int) -> dict:
    from django.db.models import F

    from apps.orders.models import Order

    orders = Order.objects.filter(created_at__gte=since, shipping_name="Bench")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if orders.filter(status="pending").count() == 0:
            break
        time.sleep(0.5)
    done = list(
        orders.filter(status="confirmed")
        .annotate(latency=F("updated_at") - F("created_at"))
        .values_list("created_at", "updated_at", "latency")
    )
    if not done:
        return {"confirmed": 0, "placed": placed}
    seconds = sorted(d[2].total_seconds() for d in done)
    span = (max(d[1] for d in done) - min(d[0] for d in done)).total_seconds()
    return {
        "placed": placed,
        "confirmed": len(done),
        "still_pending": orders.filter(status="pending").count(),
        "confirmed_per_s": len(done) / span if span else 0,
        "p50_ms": 1000 * seconds[len(seconds) // 2],
        "p95_ms": 1000 * seconds[int(len(seconds) * 0.95) - 1],
    }


def report(clients: int, label: str, placed: dict, reference: dict) -> None:
    ratio = placed["rps"] / reference["rps"] if reference["rps"] else 0
    print(
        f"clients={clients} ({label}) POST /api/v1/orders/: "
        f"{placed['rps']:.1f} req/s "
        f"(p50 {placed['p50_ms']:.0f} ms, errors {placed['errors']}) | "
        f"reference: {reference['rps']:.1f} req/s "
        f"(p50 {reference['p50_ms']:.0f} ms, errors {reference['errors']}) | "
        f"ratio {ratio:.2f}"
    )
    for name, figures in (("API", placed), ("reference", reference)):
        spent = sorted(figures["cpu_ms"].items(), key=lambda item: -item[1])
        print(
            f"  CPU per {name} request: "
            + ", ".join(f"{kind} {ms:.2f} ms" for kind, ms in spent if ms >= 0.01)
        )
    if "rps_each" in placed:
        print(
            f"  req/s per phase: API {_rates(placed['rps_each'])} | "
            f"reference {_rates(reference['rps_each'])}"
        )


def _rates(runs: list[float]) -> str:
    return " ".join(f"{rps:.1f}" for rps in runs)


def isolated(tokens, real, ref, seconds, rounds) -> tuple[dict, dict]:
    """Both HTTP paths while the worker is paused: the reference never has a
    saga to compete with (its outbox rows have no consumer), so this compares
    the request paths alone on the shared cores. The phases alternate A B B A
    ... (`rounds` of each), so a drift in the machine's speed during the run
    weighs on both sides alike. Orders placed here are named "Bench isolated"
    and stay pending (their messages are purged)."""
    body = {**real, "shipping_address": {**ADDRESS, "name": "Bench isolated"}}
    paths = {
        "api": (f"{BASE}/api/v1/orders/", body),
        "reference": (f"{BASE}/bench/reference-order/", ref),
    }
    phases: dict[str, list[dict]] = {"api": [], "reference": []}
    for index in range(rounds):
        order = ("api", "reference") if index % 2 == 0 else ("reference", "api")
        for name in order:
            url, payload = paths[name]
            phases[name].append(load(url, tokens, payload, seconds))
    return combined(phases["api"]), combined(phases["reference"])


def combined(runs: list[dict]) -> dict:
    """Equal-length phases: rates and CPU per request averaged; the median of
    the phases' median latencies; errors summed."""
    return {
        "rps": statistics.fmean(run["rps"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "cpu_ms": {
            kind: statistics.fmean(run["cpu_ms"].get(kind, 0.0) for run in runs)
            for kind in {kind for run in runs for kind in run["cpu_ms"]}
        },
        "rps_each": [run["rps"] for run in runs],
    }


def place(tokens, body, count: int) -> None:
    """POST `count` orders over the clients in `tokens`; raises unless every
    one was a 201."""
    failures: list[int] = []
    share, rest = divmod(count, len(tokens))

    def client(session, index):
        for _ in range(share + (index < rest)):
            status = post_status(session, f"{BASE}/api/v1/orders/", body)
            if status != 201:
                failures.append(status)
                return

    in_client_threads(tokens, client)
    if failures:
        raise RuntimeError(f"placing failed: {Counter(failures)}")


def wait_for_idle_broker(timeout: float = 300) -> None:
    """Until no app queue holds a message and none is unacknowledged (the
    worker acks late), twice in a row (Redis broker); raises after `timeout`."""
    from config.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2 and time.monotonic() < deadline:
            busy = channel.client.hlen(channel.unacked_key) or any(
                channel.client.llen(queue) for queue in QUEUES
            )
            quiet = 0 if busy else quiet + 1
            time.sleep(0.05)
    if quiet < 2:
        raise RuntimeError(f"the worker still had messages after {timeout} s")


def saga_alone(worker, tokens, real, count: int) -> None:
    """The saga's own capacity: `count` orders placed while the worker is
    paused, then drained with the machine to itself. Prints confirmed orders
    per second and the CPU each order costs the worker (its main process and
    pool), PostgreSQL and Redis, every delivery of the order included."""
    from django.utils import timezone

    from apps.orders.models import Order

    wait_for_idle_broker()  # what earlier phases left is not counted here
    os.killpg(worker.pid, signal.SIGSTOP)
    since = timezone.now()
    try:
        place(
            tokens,
            {**real, "shipping_address": {**ADDRESS, "name": "Bench saga"}},
            count,
        )
    finally:
        cpu_before = cpu_seconds_by_process()
        started = time.monotonic()
        os.killpg(worker.pid, signal.SIGCONT)
    orders = Order.objects.filter(created_at__gte=since, shipping_name="Bench saga")
    deadline = started + 300
    while orders.filter(status="pending").exists():
        if time.monotonic() > deadline:
            raise RuntimeError("saga alone: orders still pending after 300 s")
        time.sleep(0.05)
    confirmed_after = time.monotonic() - started
    wait_for_idle_broker()
    cpu = cpu_spent(cpu_before)
    placed = orders.count()
    confirmed = orders.filter(status="confirmed").count()
    print(
        f"saga alone: {confirmed} of {placed} orders confirmed in "
        f"{confirmed_after:.1f} s = {confirmed / confirmed_after:.1f} orders/s; "
        "CPU per order (every delivery): "
        + ", ".join(
            f"{kind} {1000 * used / max(placed, 1):.2f} ms"
            for kind, used in sorted(cpu.items(), key=lambda item: -item[1])
            if kind != "load generator" and used >= 0.001
        )
    )


def purge_queues() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        for queue in QUEUES:
            conn.default_channel.queue_purge(queue)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, nargs="*", default=[8, 32])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--isolated",
        action="store_true",
        help="also measure both HTTP paths with the Celery worker paused",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="phases of each path with the worker paused, alternating A B B A",
    )
    parser.add_argument(
        "--saga-orders",
        type=int,
        default=1000,
        help="orders for the saga's own capacity, drained alone (0: skip)",
    )
    options = parser.parse_args()
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")
    if options.saga_orders < 0:
        parser.error("--saga-orders must be 0 or more")

    subprocess.run(
        [BIN / "python", "manage.py", "migrate_all", "-v", "0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    staff_token, tokens = setup_users(max([SAGA_CLIENTS, *options.clients]))
    processes = [
        start(
            [
                BIN / "gunicorn",
                "config.wsgi:application",
                "-b",
                f"127.0.0.1:{PORT}",
                "-w",
                str(options.workers),
                "-k",
                "gthread",
                "--threads",
                "8",
            ],
            "gunicorn",
        ),  # fmt: skip
        start(
            [
                BIN / "celery",
                "-A",
                "config",
                "worker",
                "-l",
                "WARNING",
                "-Q",
                ",".join(QUEUES),
            ],
            "worker",
        ),  # fmt: skip
    ]
    try:
        wait_http(f"{BASE}/healthz")
        product_id = create_product(staff_token)
        item = {"product_id": product_id, "quantity": 1}
        real = {"items": [item], "shipping_address": ADDRESS}
        ref = {"items": [{**item, "unit_price": "9.99"}], "shipping_address": ADDRESS}
        load(f"{BASE}/api/v1/orders/", tokens[:4], real, 1)  # warm up
        from django.utils import timezone

        for clients in options.clients:
            since = timezone.now()
            placed = load(
                f"{BASE}/api/v1/orders/", tokens[:clients], real, options.seconds
            )
            saga = confirmed_figures(since, int(placed["rps"] * options.seconds))
            reference = load(
                f"{BASE}/bench/reference-order/", tokens[:clients], ref, options.seconds
            )
            report(clients, "worker running", placed, reference)
            print(f"clients={clients} placed->confirmed: {saga}")
            if options.isolated:
                worker = processes[1]
                os.killpg(worker.pid, signal.SIGSTOP)
                try:
                    report(
                        clients,
                        "worker paused",
                        *isolated(
                            tokens[:clients],
                            real,
                            ref,
                            options.seconds,
                            options.rounds,
                        ),
                    )
                finally:
                    purge_queues()
                    os.killpg(worker.pid, signal.SIGCONT)
        if options.saga_orders:
            saga_alone(processes[1], tokens[:SAGA_CLIENTS], real, options.saga_orders)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
