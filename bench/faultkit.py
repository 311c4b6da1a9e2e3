"""Checks the fault-injection tests run inside a private stack's environment:
`python -m bench.faultkit reconcile|snapshot|replay [...]`, one JSON line out.

- reconcile: inventory invariants, acknowledged orders settled, no unsent
  outbox row, exactly one inbox row per (sent event, subscribed consumer),
  no dead letter;
- snapshot: a digest of every business table (eventbus tables excluded);
- replay N: sends every outbox event N more times to each of its consumers.
"""

import hashlib
import json
import os
import subprocess
import sys
import time

import django


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    django.setup()


BUSINESS_APPS = ("users", "catalog", "inventory", "orders")


def reconcile(order_ids: list[str]) -> dict:
    from django.apps import apps
    from django.conf import settings
    from django.db.models import F, Q, Sum

    from apps.common.db import alias_for
    from apps.eventbus import registry
    from apps.eventbus.models import DeadLetter, InboxRecord, OutboxEvent

    problems = []
    stock = apps.get_model("inventory", "StockItem").objects
    bad_stock = stock.filter(Q(reserved__lt=0) | Q(on_hand__lt=F("reserved"))).count()
    if bad_stock:
        problems.append(f"{bad_stock} stock items break 0 <= reserved <= on_hand")
    ledger = {
        row["stock_item_id"]: (row["on_hand"], row["reserved"])
        for row in apps.get_model("inventory", "StockMovement")
        .objects.values("stock_item_id")
        .annotate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    }
    off_ledger = sum(
        1
        for pk, on_hand, reserved in stock.values_list("pk", "on_hand", "reserved")
        if ledger.get(pk, (0, 0)) != (on_hand, reserved)
    )
    if off_ledger:
        problems.append(f"{off_ledger} stock items differ from their ledger")

    orders = apps.get_model("orders", "Order").objects
    known = dict(orders.filter(pk__in=order_ids).values_list("pk", "status"))
    missing = len(set(order_ids)) - len(known)
    if missing:
        problems.append(f"{missing} acknowledged orders do not exist")
    pending = [str(pk) for pk, status in known.items() if status == "pending"]
    if pending:
        problems.append(f"{len(pending)} orders stuck pending")

    unsent = sent = lost = 0
    inbox_expected = 0
    for alias in settings.DATABASES:
        outbox = OutboxEvent.objects.using(alias)
        unsent += outbox.filter(sent_at__isnull=True).count()
        for event_id, event_type in outbox.filter(sent_at__isnull=False).values_list(
            "event_id", "event_type"
        ):
            sent += 1
            for consumer in registry.consumers_of(event_type):
                inbox_expected += 1
                applied = (
                    InboxRecord.objects.using(alias_for(consumer))
                    .filter(consumer=consumer, event_id=event_id)
                    .count()
                )
                lost += applied != 1
    if unsent:
        problems.append(f"{unsent} outbox rows unsent")
    if lost:
        problems.append(f"{lost} (event, consumer) pairs without exactly one inbox row")
    inbox_rows = sum(InboxRecord.objects.using(a).count() for a in settings.DATABASES)
    dead = sum(DeadLetter.objects.using(a).count() for a in settings.DATABASES)
    if dead:
        problems.append(f"{dead} dead letters")
    statuses = {}
    for status in known.values():
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "problems": problems,
        "orders": statuses,
        "outbox_sent": sent,
        "inbox_expected": inbox_expected,
        "inbox_rows": inbox_rows,
        "dead_letters": dead,
    }


def snapshot() -> dict:
    from django.apps import apps

    digest = {}
    for label in BUSINESS_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = list(model.objects.order_by("pk").values())
            blob = json.dumps(rows, default=str, sort_keys=True).encode()
            digest[model._meta.label] = [len(rows), hashlib.sha256(blob).hexdigest()]
    return digest


def replay(times: int) -> dict:
    from django.conf import settings

    from apps.eventbus import registry
    from apps.eventbus.delivery import enqueue
    from apps.eventbus.models import OutboxEvent
    from apps.eventbus.outbox import envelope_of

    messages = events = 0
    for alias in settings.DATABASES:
        for row in OutboxEvent.objects.using(alias).order_by("id"):
            events += 1
            envelope = envelope_of(row)
            for consumer in registry.consumers_of(row.event_type):
                for _ in range(times):
                    enqueue(consumer, envelope)
                    messages += 1
    return {"events": events, "messages": messages}


def age_claims() -> dict:
    """Ages every in-flight Idempotency-Key claim past the take-over time: a
    stand-in for the minutes a client waits after its request's process died."""
    from django.db.models import F

    from apps.orders.models import IdempotencyRecord
    from apps.orders.services.idempotency import IN_FLIGHT_TIMEOUT

    aged = IdempotencyRecord.objects.filter(
        state=IdempotencyRecord.State.IN_FLIGHT
    ).update(created_at=F("created_at") - IN_FLIGHT_TIMEOUT)
    return {"aged": aged}


def run(env: dict, *args: str, timeout: float = 120) -> dict:
    """This module's answer to `args`, run with a stack's settings `env`."""
    from stack.procs import PYTHON, ROOT

    done = subprocess.run(
        [PYTHON, "-m", "bench.faultkit", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    line = next(
        line for line in done.stdout.splitlines() if line.startswith("FAULTKIT ")
    )
    return json.loads(line.removeprefix("FAULTKIT "))


def reconciled(env: dict, order_ids, *, timeout: float = 30) -> dict:
    """Waits (bounded) for the bus to go quiet; returns the last report."""
    deadline = time.monotonic() + timeout
    while True:
        report = run(env, "reconcile", json.dumps(sorted(order_ids)))
        if not report["problems"] or time.monotonic() > deadline:
            return report
        time.sleep(1)


def main(argv: list[str]) -> None:
    _setup()
    command, args = argv[0], argv[1:]
    if command == "reconcile":
        result = reconcile(json.loads(args[0]) if args else [])
    elif command == "snapshot":
        result = snapshot()
    elif command == "replay":
        result = replay(int(args[0]))
    elif command == "age-claims":
        result = age_claims()
    else:
        raise SystemExit(f"unknown command {command}")
    sys.stdout.write("FAULTKIT " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
