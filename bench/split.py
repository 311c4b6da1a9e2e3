"""The split scenario of `make bench`: the four apps as four deployables behind
the nginx gateway (stack/split.py), against the monolith measured earlier in
the same run.

- order placement to confirmed through the gateway, the monolith's figures as
  the reference (target: at least 0.7x its rate, p50 at most 20 ms higher);
- the catalog's `product_snapshots` interface called over HTTP from a process
  hosting only orders, against the same call in-process.

Private resources: PostgreSQL databases `<bench database>_split_<app>`, the
bench's Redis databases (flushed first), ports base+1 (gateway) and base+11..14.
"""

import json
import time

from bench import scenarios
from bench.data import (
    STOCK_PER_PRODUCT,
    Fixture,
    ensure_customers,
    stocked_products,
    token,
)
from bench.driver import Client, Result
from stack.procs import PYTHON, run
from stack.split import ALL_APPS, STAFF_EMAIL, SplitStack, stack_from_environment

PRODUCTS = 200
SNAPSHOT_CALLS = 1000
TARGET_RATE_RATIO = 0.7
TARGET_P50_EXTRA_MS = 20.0
SETUP = (
    "Split rows: the four apps as four deployables (gunicorn with "
    "SPLIT_WEB_WORKERS=2 x 8 threads each, one Celery worker per app, beat each) "
    "behind the nginx gateway, measured after the monolith's stack stopped; "
    "their reference is the monolith's row or the in-process call."
)
ORDERS_ROW = "order placement to confirmed, split / monolith"
SNAPSHOTS_ROW = "product_snapshots call, remote / in-process"


def split_environ(env: dict, *, database_url: str, port: int) -> dict:
    """The bench's own settings (throttles out of the way, test payments) with
    the split runner's production settings, databases and ports."""
    environ = {
        key: value for key, value in env.items() if key != "DJANGO_SETTINGS_MODULE"
    }
    environ.update(
        DATABASE_URL=f"{database_url}_split",
        GATEWAY_PORT=str(port + 1),
        SPLIT_PORT_BASE=str(port + 11),
        # One client address drives the whole load: the edge limit stays open.
        GATEWAY_RATE="100000r/s",
    )
    return environ


def gateway_fixture(
    stack: SplitStack, *, products: int, stock: int, prefix: str
) -> Fixture:
    """The bench's customers and `products` new products with `stock` units
    each, all made through the gateway."""
    client = Client(stack.gateway_port, timeout=30)
    staff = token(client, STAFF_EMAIL, stack.staff_password)
    customers = ensure_customers(client)
    product_ids = stocked_products(
        client, staff, count=products, stock=stock, prefix=prefix
    )
    return Fixture(
        client=client,
        staff_token=staff,
        customers=customers,
        customer_tokens=[token(client, *credentials) for credentials in customers],
        category_slugs=[],
        product_ids=product_ids,
        product_count=len(product_ids),
    )


def snapshot_calls(name: str, env: dict, product_id: str) -> Result:
    """SNAPSHOT_CALLS sequential calls for one product, as a one-line order asks."""
    output = run(
        [PYTHON, "-m", "bench.snapshots", str(SNAPSHOT_CALLS), product_id], env
    )
    figures = json.loads(output.strip().splitlines()[-1])
    return Result(
        name=name,
        requests=figures["calls"],
        seconds=figures["seconds"],
        p50_ms=figures["p50_ms"],
        p99_ms=figures["p99_ms"],
        errors=0,
    )


def run_split(
    env: dict, *, database_url: str, port: int, seconds: int, monolith: tuple
) -> list[tuple[str, Result, Result]]:
    """`monolith`: (its Fixture, its order placement Result) from this run."""
    monolith_fixture, monolith_orders = monolith
    stack = stack_from_environment(
        deployables=",".join(ALL_APPS),
        environ=split_environ(env, database_url=database_url, port=port),
    )
    try:
        stack.start()
        print(f"bench: split stack ready behind {stack.url}", flush=True)
        fx = gateway_fixture(
            stack,
            products=PRODUCTS,
            stock=STOCK_PER_PRODUCT,
            prefix=f"SPLIT-{int(time.time())}",
        )
        # Every deployable's workers warm (imports, connections) before measuring.
        scenarios.orders_placed_until_confirmed(fx, stack.gateway_port, 3)
        orders = scenarios.orders_placed_until_confirmed(
            fx, stack.gateway_port, seconds, name="order split"
        )
        remote = snapshot_calls(
            "snapshots remote", stack.env_of(["orders"]), fx.product_ids[0]
        )
    finally:
        stack.stop()
    in_process = snapshot_calls(
        "snapshots in-process", env, monolith_fixture.product_ids[0]
    )
    return [(ORDERS_ROW, orders, monolith_orders), (SNAPSHOTS_ROW, remote, in_process)]


def verdict(rows: list[tuple[str, Result, Result]]) -> str:
    """One line on the split target, for the printed results."""
    orders, monolith = next((api, ref) for name, api, ref in rows if name == ORDERS_ROW)
    ratio = orders.rps / monolith.rps if monolith.rps else 0.0
    extra = orders.p50_ms - monolith.p50_ms
    met = ratio >= TARGET_RATE_RATIO and extra <= TARGET_P50_EXTRA_MS
    return (
        f"Split target (rate at least {TARGET_RATE_RATIO}x the monolith's, p50 at most "
        f"{TARGET_P50_EXTRA_MS:.0f} ms higher): {ratio:.2f}x, p50 {extra:+.1f} ms: "
        f"{'met' if met else 'NOT met'}."
    )
