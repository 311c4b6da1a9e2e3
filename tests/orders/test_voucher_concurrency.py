"""Simultaneous checkouts with one voucher: real threads, their own
connections, committed transactions. The large runs are PostgreSQL-only
(services mode); SQLite serialises writers but must still be correct."""

import threading
import uuid

import pytest
from django.db import connections

from apps.common.db import alias_for, atomic_for
from apps.orders.errors import VoucherRefused
from apps.orders.models import Voucher, VoucherRedemption
from apps.orders.services.pricing import redeem_voucher
from tests.orders.helpers import outbox

pytestmark = pytest.mark.django_db(transaction=True)
on_postgresql = pytest.mark.services


def checkout(code: str, customer_id: uuid.UUID):
    """What the checkout does: redeem inside the transaction that writes the
    order. Returns "redeemed" or the refusal code."""

    def job():
        try:
            with atomic_for("orders"):
                redeem_voucher(
                    code=code,
                    order_id=uuid.uuid4(),
                    customer_id=customer_id,
                    email="",
                )
            return "redeemed"
        except VoucherRefused as refused:
            return refused.code

    return job


def run_together(jobs) -> list:
    results: list = [None] * len(jobs)
    start = threading.Barrier(len(jobs), timeout=30)

    def work(index):
        try:
            start.wait()
            results[index] = jobs[index]()
        except Exception as exc:  # noqa: BLE001 - asserted by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results


def is_postgresql() -> bool:
    return connections[alias_for("orders")].vendor == "postgresql"


def make_voucher(**limits) -> Voucher:
    return Voucher.objects.create(
        code="RUSH", kind="percentage", target="order", value=10, **limits
    )


def test_simultaneous_checkouts_on_any_database_redeem_the_limit_only():
    voucher = make_voucher(usage_limit=2)

    results = run_together([checkout("RUSH", uuid.uuid4()) for _ in range(6)])

    assert sorted(results) == ["redeemed"] * 2 + ["voucher_used_up"] * 4
    voucher.refresh_from_db()
    assert voucher.uses == 2
    assert VoucherRedemption.objects.count() == 2


@on_postgresql
def test_twenty_simultaneous_checkouts_redeem_a_voucher_of_five_exactly_five_times():
    assert is_postgresql()
    voucher = make_voucher(usage_limit=5)

    results = run_together([checkout("rush", uuid.uuid4()) for _ in range(20)])

    assert sorted(results) == ["redeemed"] * 5 + ["voucher_used_up"] * 15
    voucher.refresh_from_db()
    assert voucher.uses == 5
    assert VoucherRedemption.objects.filter(state="redeemed").count() == 5
    assert len(outbox("orders.voucher.redeemed.v1")) == 5


@on_postgresql
def test_simultaneous_checkouts_of_one_customer_keep_the_per_customer_limit():
    assert is_postgresql()
    voucher = make_voucher(usage_limit=5, usage_limit_per_customer=2)
    ada, bob = uuid.uuid4(), uuid.uuid4()
    jobs = [checkout("RUSH", ada) for _ in range(10)]
    jobs += [checkout("RUSH", bob) for _ in range(10)]

    results = run_together(jobs)

    assert results.count("redeemed") == 4
    assert sorted(results[:10])[:2] == ["redeemed"] * 2
    assert sorted(results[10:])[:2] == ["redeemed"] * 2
    assert set(results) == {"redeemed", "voucher_customer_limit"}
    voucher.refresh_from_db()
    assert voucher.uses == 4
    redeemed = VoucherRedemption.objects.filter(state="redeemed")
    assert redeemed.filter(customer_id=ada).count() == 2
    assert redeemed.filter(customer_id=bob).count() == 2
