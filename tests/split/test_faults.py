"""Faults in split mode: deployables stopped, restarted and killed under load,
against a four-way split these tests start (`make test-split-faults`).

Each test prints one figure line; those that place orders end with the
reconciliation of tests/faults (stock invariants through `inventory_reconcile`
in the inventory deployable, every acknowledged order settled once, no unsent
outbox row, one inbox row per event and consumer, no dead letter).
"""

import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from bench import faultkit
from bench.data import Fixture
from bench.scenarios import SHIPPING_ADDRESS
from bench.split import gateway_fixture
from stack.procs import kill_pool_children, manage, wait_for
from stack.split import ALL_APPS, SplitStack, stack_from_environment
from tests.figures import report_figure

pytestmark = [pytest.mark.splitfaults, pytest.mark.slow]

PRODUCTS, STOCK = 4, 10_000
# Generous limits: these tests measure faults, not throttles.
FAULT_ENV = {
    "THROTTLE_ORDER_PLACE": "100000/min",
    "THROTTLE_LOGIN_IP": "100000/min",
    "THROTTLE_LOGIN_ACCOUNT": "100000/min",
    "THROTTLE_LOGIN_ACCOUNT_CLIENT": "100000/min",
    "THROTTLE_REGISTER": "100000/min",
    "ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT": "1000000",
    "EVENTS_RELAY_INTERVAL_SECONDS": "2",
}


@dataclass
class Split:
    stack: SplitStack
    fx: Fixture  # customers and products, made through the gateway

    @property
    def every_app_env(self) -> dict:
        """All four apps over the split's databases: the checks read them all."""
        return self.stack.base_env


@pytest.fixture(scope="module")
def split():
    stack = stack_from_environment(deployables=",".join(ALL_APPS))
    stack.base_env.update(FAULT_ENV)
    try:
        stack.start()
        fx = gateway_fixture(
            stack,
            products=PRODUCTS,
            stock=STOCK,
            prefix=f"SF{uuid.uuid4().hex[:6].upper()}",
        )
        yield Split(stack=stack, fx=fx)
    except Exception:
        sys.stderr.write(f"\nsplit fault stack logs: {stack.group.log_dir}\n")
        raise
    finally:
        stack.stop()


def place(split: Split, n: int, *, key: str = ""):
    """(status, body, seconds, headers) of one order of one unit."""
    headers = {"Idempotency-Key": key or str(uuid.uuid4())}
    started = time.monotonic()
    status, body, _ = split.fx.client.request(
        "POST",
        "/api/v1/orders/",
        {
            "items": [
                {"product_id": split.fx.product_ids[n % PRODUCTS], "quantity": 1}
            ],
            "shipping_address": SHIPPING_ADDRESS,
        },
        token=split.fx.customer_tokens[n % len(split.fx.customer_tokens)],
        headers=headers,
    )
    return status, body, time.monotonic() - started


def place_until_acknowledged(
    split: Split, n: int, *, refused: list | None = None, timeout: float = 60
) -> str:
    """Retries one order under one idempotency key until it is acknowledged,
    as a client does across a crash; the order's id. Each refusal's status
    goes to `refused`."""
    key = str(uuid.uuid4())

    def acknowledged():
        status, body, _ = place(split, n, key=key)
        if status != 201 and refused is not None:
            refused.append(status)
        if status == 409:  # the key's first request died in flight
            faultkit.run(split.every_app_env, "age-claims")
        return body["id"] if status == 201 else None

    return wait_for(acknowledged, timeout=timeout, interval=0.2, what=f"order {n}")


def statuses(split: Split, order_ids) -> dict[str, str]:
    found = {}
    for order_id in order_ids:
        status, body, _ = split.fx.client.request(
            "GET", f"/api/v1/orders/{order_id}/", token=split.fx.staff_token
        )
        if status == 200:
            found[order_id] = body["status"]
    return found


def pending_orders(split: Split) -> set[str] | None:
    """Ids of every pending order from the staff list in one request (one GET
    per order would meet the gateway's rate limit); None while they do not fit
    one page of 100 or the page could not be read."""
    status, body, _ = split.fx.client.request(
        "GET",
        "/api/v1/orders/?status=pending&page_size=100",
        token=split.fx.staff_token,
    )
    if status != 200 or body["next"]:
        return None
    return {order["id"] for order in body["results"]}


def settled(split: Split, order_ids, *, timeout: float) -> float | None:
    """Seconds until every order left `pending`, or None after `timeout`."""
    started = time.monotonic()

    def check():
        pending = pending_orders(split)
        return pending is not None and not pending.intersection(order_ids)

    try:
        wait_for(check, timeout=timeout, interval=0.5, what="orders settled")
    except TimeoutError:
        return None
    return time.monotonic() - started


def unsettled(split: Split, order_ids) -> set[str] | str:
    """What kept `settled` waiting."""
    pending = pending_orders(split)
    if pending is None:
        return "more than 100 orders pending, or the list could not be read"
    return pending.intersection(order_ids)


def assert_reconciled(split: Split, order_ids) -> dict:
    inventory = split.stack.env_of(split.stack.deployable_of("inventory"))
    assert "stock is consistent" in manage(inventory, "inventory_reconcile")
    report = faultkit.reconciled(split.every_app_env, order_ids)
    assert report["problems"] == [], report
    assert report["inbox_rows"] == report["inbox_expected"], report
    return report


def seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f}s"


def test_catalog_down_answers_503_fast_and_comes_back_by_itself(split, capsys):
    catalog = split.stack.deployable_of("catalog")
    split.stack.stop_deployable(catalog)
    try:
        # More placements at once than the orders deployable has threads.
        with ThreadPoolExecutor(12) as pool:
            refused = list(pool.map(lambda n: place(split, n), range(12)))
            history = pool.submit(
                split.fx.client.request,
                "GET",
                "/api/v1/orders/",
                token=split.fx.customer_tokens[0],
            )
        login = split.fx.client.request(
            "POST",
            "/api/v1/auth/token/",
            {"email": split.fx.customers[0][0], "password": split.fx.customers[0][1]},
        )
    finally:
        split.stack.start_deployable(catalog)
    split.stack.wait_ready(catalog)
    back = time.monotonic()
    order_id = place_until_acknowledged(split, 0, timeout=30)
    recovered_after = time.monotonic() - back

    slowest = max(seconds for _, _, seconds in refused)
    report_figure(
        capsys,
        f"splitfaults[catalog down]: {len(refused)} placements answered "
        f"{sorted({status for status, *_ in refused})}, slowest {slowest:.2f}s; "
        f"placing again {recovered_after:.1f}s after catalog was ready",
    )
    assert [status for status, *_ in refused] == [503] * len(refused)
    assert all(body["status"] == 503 for _, body, _ in refused), refused
    assert slowest < 2.0
    assert history.result()[0] == 200
    assert login[0] == 200
    assert recovered_after < 30
    assert_reconciled(split, [order_id])


def test_inventory_down_accepts_orders_pending_then_confirms_them(split, capsys):
    inventory = split.stack.deployable_of("inventory")
    split.stack.stop_deployable(inventory)
    try:
        placed = [place(split, n) for n in range(6)]
        time.sleep(3)  # past a relay period: nothing can confirm them
        order_ids = [body["id"] for status, body, _ in placed if status == 201]
        while_down = statuses(split, order_ids)
    finally:
        split.stack.start_deployable(inventory)
    split.stack.wait_ready(inventory)

    settle_seconds = settled(split, order_ids, timeout=60)
    report_figure(
        capsys,
        f"splitfaults[inventory down]: {len(order_ids)} of {len(placed)} orders "
        f"accepted pending, all settled {seconds(settle_seconds)} after it was ready",
    )
    assert [status for status, *_ in placed] == [201] * 6
    assert set(while_down.values()) == {"pending"}
    assert settle_seconds is not None
    report = assert_reconciled(split, order_ids)
    assert report["orders"] == {"confirmed": 6}


def test_orders_web_killed_under_load_loses_and_doubles_nothing(split, capsys):
    orders = split.stack.deployable_of("orders")
    web = split.stack.process_names(orders)["web"]
    order_ids: list[str] = []
    refused: list[int | None] = []
    stop = threading.Event()

    def load():
        # Placing goes on until the web process is back, so some placements
        # meet it killed however fast the machine is.
        n = 0
        while not stop.is_set() and n < 500:
            order_ids.append(place_until_acknowledged(split, n, refused=refused))
            n += 1

    placing = threading.Thread(target=load)
    placing.start()
    wait_for(lambda: len(order_ids) >= 5, timeout=30, what="orders before the kill")
    killed_at = time.monotonic()
    split.stack.group.kill(web)
    split.stack.start_deployable(orders)
    split.stack.wait_ready(orders)
    down = time.monotonic() - killed_at
    acknowledged_when_back = len(order_ids)
    wait_for(
        lambda: len(order_ids) >= acknowledged_when_back + 5,
        timeout=60,
        what="orders after the restart",
    )
    stop.set()
    placing.join(120)

    settle_seconds = settled(split, order_ids, timeout=60)
    report_figure(
        capsys,
        f"splitfaults[orders web SIGKILL]: {len(order_ids)} orders acknowledged "
        f"under one key each after {len(refused)} refused attempts, web back "
        f"after {down:.1f}s, all settled "
        f"{seconds(settle_seconds)}",
    )
    assert refused, "no placement met the killed web process"
    assert len(order_ids) == len(set(order_ids)) >= 10
    assert settle_seconds is not None
    report = assert_reconciled(split, order_ids)
    assert report["orders"] == {"confirmed": len(order_ids)}


def test_inventory_worker_killed_mid_event_loses_and_doubles_nothing(split, capsys):
    worker = split.stack.group.procs["worker-inventory"].pid
    placed: list = []
    stop = threading.Event()

    def load():
        # Orders keep coming while pool processes die, as under real traffic.
        n = 0
        while not stop.is_set() and n < 500:
            placed.append(place(split, n))
            n += 1

    placing = threading.Thread(target=load)
    placing.start()
    try:
        wait_for(lambda: len(placed) >= 5, timeout=30, what="orders before the kills")
        kills = kill_pool_children(worker, kills=4, pause=0.7)
        after_kills = len(placed)
        wait_for(
            lambda: len(placed) >= after_kills + 5,
            timeout=60,
            what="orders after the kills",
        )
    finally:
        stop.set()
        placing.join(120)
    order_ids = [body["id"] for status, body, _ in placed if status == 201]

    settle_seconds = settled(split, order_ids, timeout=90)
    report_figure(
        capsys,
        f"splitfaults[inventory worker SIGKILL]: {kills} pool processes killed "
        f"during {len(placed)} orders, all settled {seconds(settle_seconds)}",
    )
    assert kills >= 4
    assert [status for status, *_ in placed] == [201] * len(placed)
    assert settle_seconds is not None, unsettled(split, order_ids)
    report = assert_reconciled(split, order_ids)
    assert report["orders"] == {"confirmed": len(placed)}
