"""Checkout benchmark (not a test).

Starts gunicorn (127.0.0.1:8150) and one Celery worker for every app queue on
PostgreSQL (per-app databases) and Redis, then, at 8 and 32 concurrent
clients, POSTs orders for a while and measures
  - POST /api/v1/orders/ requests per second and errors,
  - orders per second from POST to `confirmed` (the saga through the worker),
  - p50/p95 placement-to-confirmed latency (order created_at -> updated_at),
and, in the same run, the same load on a reference view that inserts the same
order, line and outbox rows with raw SQL.

    .venv/bin/python bench/checkout.py [--seconds 8] [--clients 8 32]

Figures on a shared 2-core machine are noisy; compare ratios within one run.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
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
}
for name, value in ENV.items():
    os.environ.setdefault(name, value)
BASE = "http://127.0.0.1:8150"
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
    return subprocess.Popen(args, cwd=ROOT, env=os.environ, stdout=out, stderr=out)


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


def load(url, tokens, body, seconds) -> dict:
    stop_at = time.monotonic() + seconds
    statuses: list[int] = []
    latencies: list[float] = []

    def client(token):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                status = session.post(url, json=body, timeout=30).status_code
            except requests.RequestException:
                status = 599
            latencies.append(time.perf_counter() - started)
            statuses.append(status)

    threads = [threading.Thread(target=client, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    ok = sum(1 for s in statuses if s == 201)
    return {
        "rps": ok / seconds,
        "errors": len(statuses) - ok,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0,
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    subprocess.run(
        [BIN / "python", "manage.py", "migrate_all", "-v", "0"],
        cwd=ROOT,
        env=os.environ,
        check=True,
    )
    staff_token, tokens = setup_users(max(options.clients))
    processes = [
        start(
            [
                BIN / "gunicorn",
                "config.wsgi:application",
                "-b",
                "127.0.0.1:8150",
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
                "users,catalog,inventory,orders",
                "-c",
                "2",
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
            ratio = placed["rps"] / reference["rps"] if reference["rps"] else 0
            print(
                f"clients={clients} POST /api/v1/orders/: {placed['rps']:.1f} req/s "
                f"(p50 {placed['p50_ms']:.0f} ms, errors {placed['errors']}) | "
                f"reference: {reference['rps']:.1f} req/s "
                f"(errors {reference['errors']}) | ratio {ratio:.2f}"
            )
            print(f"clients={clients} placed->confirmed: {saga}")
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
