"""The survivors issue 24 listed that mutmut's operators do not make (a deleted
statement, a transaction removed, a changed SQL guard) or that need one exact
change: each is applied to a copy of the repository and must fail the tests
named beside it. `make mutate` runs them after mutmut.

    python -m tests.mutation.listed
"""

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NO_TRANSACTION = '__import__("contextlib").nullcontext()'


@dataclass(frozen=True)
class Listed:
    what: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    # Observable only with one database per app (DATABASE_ROUTING=per-app).
    per_app: bool = False


EVENTBUS = "tests/eventbus/"
INVENTORY = "tests/inventory/test_services.py::"
PAY = "tests/orders/api/test_pay.py::"
SETTLE = "tests/orders/api/test_pay_settle.py::"
IDEMPOTENCY = "tests/orders/api/test_idempotency.py::"
PLACE = "tests/orders/api/"
CART = "tests/orders/test_cart_rules.py::"
NOT_IN_CART = (
    '            raise CartDoesNotExist(f"Product {product_id} is not in the cart.")\n'
)
REFUSED = (
    f"{INVENTORY}test_a_stock_row_refusing_the_end_of_a_reservation_changes_nothing"
)

LISTED = [
    Listed(
        "consumer: a handler's IntegrityError swallowed (the raise deleted)",
        "apps/eventbus/consumer.py",
        "                return False\n            raise\n",
        "                return False\n",
        (
            f"{EVENTBUS}test_inprocess.py::"
            "test_an_integrity_error_of_the_handler_is_retried_and_dead_lettered",
        ),
    ),
    Listed(
        "outbox: prune with the default retention (is None -> is not None)",
        "apps/eventbus/outbox.py",
        "if older_than_days is None",
        "if older_than_days is not None",
        (
            f"{EVENTBUS}test_commands.py::"
            "test_prune_without_a_retention_keeps_the_configured_days",
        ),
    ),
    Listed(
        "outbox: events published together get their own correlation ids",
        "apps/eventbus/outbox.py",
        "outbox_row(event, like=first)",
        "outbox_row(event)",
        (
            f"{EVENTBUS}test_inprocess.py::"
            "test_events_published_together_share_their_flow_and_time",
        ),
    ),
    Listed(
        "outbox: events of two producers written together",
        "apps/eventbus/outbox.py",
        "    if any(row.producer != first.producer for row in rows):",
        "    if False:",
        (
            f"{EVENTBUS}test_inprocess.py::"
            "test_events_of_two_producers_are_refused_together_writing_nothing",
        ),
    ),
    Listed(
        "outbox: the relay's batch limit ignored",
        "apps/eventbus/outbox.py",
        "            rows = rows[:limit]",
        "            pass",
        (
            f"{EVENTBUS}test_commands.py::test_a_relay_batch_sends_at_most_its_limit_oldest_first",
        ),
    ),
    Listed(
        "outbox: a handler's follow-up delivered from inside its cause's delivery",
        "apps/eventbus/outbox.py",
        "    if pending is not None:",
        "    if False:",
        (
            f"{EVENTBUS}test_inprocess.py::"
            "test_a_follow_up_is_delivered_after_its_cause_was_marked_sent",
        ),
        per_app=True,
    ),
    Listed(
        "reservations: a line asking exactly the available quantity reported short",
        "apps/inventory/services/reservations.py",
        "requested > available",
        "requested >= available",
        (f"{INVENTORY}test_a_line_asking_exactly_what_is_available_is_not_short",),
    ),
    Listed(
        "reservations: release and expiry without their transaction",
        "apps/inventory/services/reservations.py",
        "    try:\n        with atomic_for(Reservation):\n            if not _transition(",
        f"    try:\n        with {NO_TRANSACTION}:\n            if not _transition(",
        (REFUSED,),
    ),
    Listed(
        "reservations: a refused release reported as done (no StockInvariantBroken)",
        "apps/inventory/services/reservations.py",
        "            publish(event)\n    except Refused as refused:\n"
        "        raise StockInvariantBroken(str(refused)) from None",
        "            publish(event)\n    except Refused as refused:\n        pass",
        (REFUSED,),
    ),
    Listed(
        "reservations: a sale without its transaction",
        "apps/inventory/services/reservations.py",
        "    try:\n        with atomic_for(Reservation):\n            if _transition(",
        f"    try:\n        with {NO_TRANSACTION}:\n            if _transition(",
        (REFUSED,),
    ),
    Listed(
        "reservations: a refused sale reported as done (no StockInvariantBroken)",
        "apps/inventory/services/reservations.py",
        "                return True\n    except Refused as refused:\n"
        "        raise StockInvariantBroken(str(refused)) from None",
        "                return True\n    except Refused as refused:\n        pass",
        (REFUSED,),
    ),
    Listed(
        "stock: the SQL guard reserved + d >= 0 dropped",
        "apps/inventory/services/stock.py",
        " AND reserved + %s >= 0",
        " AND reserved + %s >= -1000000000",
        (REFUSED,),
    ),
    Listed(
        "stock: changes applied in the callers' order, not by product id",
        "apps/inventory/services/stock.py",
        "changes = sorted(changes, key=lambda c: c.product_id)",
        "changes = list(changes)",
        (f"{INVENTORY}test_changes_apply_and_report_in_product_id_order",),
    ),
    Listed(
        "payments: recording the same capture twice (or -> and)",
        "apps/orders/services/payments.py",
        "if payment.status != PaymentStatus.PROCESSING or (",
        "if payment.status != PaymentStatus.PROCESSING and (",
        (f"{SETTLE}test_recording_the_same_capture_twice_keeps_the_payment",),
    ),
    Listed(
        "payments: a random refund key",
        "apps/orders/services/payments.py",
        'idempotency_key=f"refund-{payment.id}"',
        'idempotency_key=f"refund-{uuid.uuid4()}"',
        (f"{SETTLE}test_a_refund_retried_after_its_answer_was_lost_pays_out_once",),
    ),
    Listed(
        "payments: the breaker check before the payment row deleted",
        "apps/orders/services/payments.py",
        "        gateway_breaker().raise_if_open()",
        "        pass",
        (f"{PAY}test_an_open_breaker_answers_503_before_any_payment_is_written",),
    ),
    Listed(
        "payments: the refunded order and its event without a transaction",
        "apps/orders/services/payments.py",
        "    with atomic_for(Order):\n        order = locked_order(order_id)\n"
        "        move(order, OrderStatus.REFUNDED",
        f"    with {NO_TRANSACTION}:\n        order = locked_order(order_id)\n"
        "        move(order, OrderStatus.REFUNDED",
        (f"{SETTLE}test_a_refund_whose_event_cannot_be_written_leaves_the_order_paid",),
    ),
    Listed(
        "idempotency: the request runs without a claim (final raise deleted)",
        "apps/orders/services/idempotency.py",
        "    except _KeyFreed as exc:\n        raise IdempotencyKeyInFlight(",
        "    except _KeyFreed as exc:\n        return None\n"
        "        raise IdempotencyKeyInFlight(",
        (
            f"{IDEMPOTENCY}"
            "test_a_key_freed_on_every_try_is_409_never_a_request_without_a_claim",
        ),
    ),
    Listed(
        "idempotency: an order reference answer stored without its order",
        "apps/orders/services/idempotency.py",
        "    if response.order_id is not None:",
        "    if response.order_id is None:",
        (f"{IDEMPOTENCY}test_an_answer_that_names_an_order_is_replayed_as_that_order",),
    ),
    Listed(
        "idempotency: a completed claim touched by a late release",
        "apps/orders/services/idempotency.py",
        "        state=State.IN_FLIGHT,\n    )",
        "    )",
        (f"{IDEMPOTENCY}test_a_late_release_of_a_completed_claim_keeps_its_answer",),
    ),
    Listed(
        "placement: the order, its lines and OrderPlaced outside a transaction",
        "apps/orders/services/placement.py",
        "    with atomic_for(Order):\n        order.save",
        f"    with {NO_TRANSACTION}:\n        order.save",
        (
            f"{PLACE}test_place.py::test_an_order_whose_event_cannot_be_written_leaves_nothing",
        ),
    ),
    Listed(
        "placement: exactly 100 lines refused",
        "apps/orders/services/placement.py",
        "    if not 1 <= len(items) <= MAX_LINES:",
        "    if not 1 <= len(items) < MAX_LINES:",
        (f"{PLACE}test_place.py::test_an_order_of_exactly_the_most_lines_is_placed",),
    ),
    Listed(
        "placement: exactly the largest amount refused",
        "apps/orders/services/placement.py",
        "    if total > largest:",
        "    if total >= largest:",
        (f"{PLACE}test_place_amounts.py::test_exactly_the_largest_amount_is_placed",),
    ),
    Listed(
        "cart: adding a line leaves the cart to expire (its touch deleted)",
        "apps/orders/services/cart.py",
        "cap=False)\n        _touch(locked)\n",
        "cap=False)\n",
        (f"{CART}test_every_change_keeps_the_cart_from_expiring",),
    ),
    Listed(
        "cart: changing a line leaves the cart to expire (its touch deleted)",
        "apps/orders/services/cart.py",
        f"update(quantity=quantity):\n{NOT_IN_CART}        _touch(locked)\n",
        f"update(quantity=quantity):\n{NOT_IN_CART}",
        (f"{CART}test_every_change_keeps_the_cart_from_expiring",),
    ),
    Listed(
        "cart: removing a line leaves the cart to expire (its touch deleted)",
        "apps/orders/services/cart.py",
        f"if not deleted:\n{NOT_IN_CART}        _touch(locked)\n",
        f"if not deleted:\n{NOT_IN_CART}",
        (f"{CART}test_every_change_keeps_the_cart_from_expiring",),
    ),
    Listed(
        "cart: a merge leaves the customer's cart to expire (its touch deleted)",
        "apps/orders/services/cart.py",
        "guest.delete()\n        _touch(target)\n",
        "guest.delete()\n",
        (f"{CART}test_a_merge_keeps_the_customers_cart_from_expiring",),
    ),
]

COPIED = ("apps", "config", "tests", "stack", "bench", "manage.py", "pyproject.toml")


def killed(listed: Listed, copy: Path) -> bool:
    source = copy / listed.path
    original = source.read_text()
    if original.count(listed.old) != 1:
        raise SystemExit(
            f"{listed.what}: the code moved; update tests/mutation/listed.py"
        )
    source.write_text(original.replace(listed.old, listed.new))
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-x",
                "-p",
                "no:cacheprovider",
                *listed.tests,
            ],
            cwd=copy,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        source.write_text(original)
    return run.returncode == 1  # tests failed, not an error of collection


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="listed-mutants-") as tmp:
        copy = Path(tmp)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(
                    source, copy / name, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                shutil.copy2(source, copy / name)
        per_app = os.environ.get("DATABASE_ROUTING") == "per-app"
        tried = [m for m in LISTED if per_app or not m.per_app]
        survivors = [m.what for m in tried if not killed(m, copy)]
    for what in survivors:
        print(f"survived: {what}")
    print(f"listed mutants: {len(tried) - len(survivors)} of {len(tried)} killed")
    if len(tried) < len(LISTED):
        print(
            f"{len(LISTED) - len(tried)} need DATABASE_ROUTING=per-app (services mode)"
        )
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
