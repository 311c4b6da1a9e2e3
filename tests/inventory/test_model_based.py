"""A model-based test: random sequences of reserve, release, expire, sell,
return and adjust against a plain-Python model; the database must agree with
the model and satisfy every invariant after each step."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from apps.inventory import selectors, services
from apps.inventory.errors import StockBelowReserved
from apps.inventory.models import Reservation, StockItem
from tests.inventory.conftest import make_stock

PRODUCTS = 3
ACTOR = "model"
quantities = st.integers(min_value=1, max_value=4)
order_lines = st.dictionaries(
    st.integers(0, PRODUCTS - 1), quantities, min_size=1, max_size=PRODUCTS
)


class Inventory(RuleBasedStateMachine):
    @initialize(start=st.lists(st.integers(0, 6), min_size=PRODUCTS, max_size=PRODUCTS))
    def create_products(self, start):
        self.products = [uuid.uuid4() for _ in range(PRODUCTS)]
        self.on_hand = dict(zip(self.products, start, strict=True))
        self.reserved = dict.fromkeys(self.products, 0)
        self.orders: dict[uuid.UUID, tuple[str, dict]] = {}
        for product_id, quantity in self.on_hand.items():
            make_stock(quantity, product_id=product_id)

    def available(self, product_id):
        return self.on_hand[product_id] - self.reserved[product_id]

    def pick(self, data, statuses):
        candidates = [o for o, (s, _) in self.orders.items() if s in statuses]
        return data.draw(st.sampled_from(candidates)) if candidates else uuid.uuid4()

    @rule(lines=order_lines)
    def reserve(self, lines):
        order_id = uuid.uuid4()
        wanted = {self.products[i]: q for i, q in lines.items()}
        fits = all(self.available(p) >= q for p, q in wanted.items())

        reservation = services.stock_reserve(
            order_id=order_id, lines=list(wanted.items()), actor=ACTOR
        )

        assert reservation.status == ("active" if fits else "failed")
        if fits:
            for p, q in wanted.items():
                self.reserved[p] += q
        self.orders[order_id] = (reservation.status, wanted)

    def finish(self, order_id, status, *, on_hand_sign, reserved_sign):
        _, wanted = self.orders[order_id]
        for p, q in wanted.items():
            self.on_hand[p] += on_hand_sign * q
            self.reserved[p] += reserved_sign * q
        self.orders[order_id] = (status, wanted)

    @rule(data=st.data())
    def release(self, data):
        order_id = self.pick(data, {"active", "sold", "failed", "expired"})
        was_active = self.orders.get(order_id, ("",))[0] == "active"

        released = services.reservation_release(
            order_id=order_id, reason="x", actor=ACTOR
        )

        assert released is was_active
        if released:
            self.finish(order_id, "released", on_hand_sign=0, reserved_sign=-1)

    @rule(data=st.data())
    def expire(self, data):
        order_id = self.pick(data, {"active", "released"})
        was_active = self.orders.get(order_id, ("",))[0] == "active"
        reservation = Reservation.objects.filter(order_id=order_id).first()

        expired = reservation is not None and services.reservation_expire(
            reservation_id=reservation.pk, now=timezone.now() + dt.timedelta(days=1)
        )

        assert expired is was_active
        if expired:
            self.finish(order_id, "expired", on_hand_sign=0, reserved_sign=-1)

    @rule(data=st.data())
    def sell(self, data):
        order_id = self.pick(data, {"active", "expired", "released", "sold"})
        status, wanted = self.orders.get(order_id, ("", {}))
        lapsed_fits = status in ("expired", "released") and all(
            self.available(p) >= q for p, q in wanted.items()
        )

        sold = services.reservation_sell(order_id=order_id, actor=ACTOR)

        assert sold is (status == "active" or lapsed_fits)
        if status == "active":
            self.finish(order_id, "sold", on_hand_sign=-1, reserved_sign=-1)
        elif sold:
            self.finish(order_id, "sold", on_hand_sign=-1, reserved_sign=0)

    @rule(data=st.data())
    def give_back(self, data):
        order_id = self.pick(data, {"sold", "returned"})
        was_sold = self.orders.get(order_id, ("",))[0] == "sold"

        returned = services.reservation_return(order_id=order_id, actor=ACTOR)

        assert returned is was_sold
        if returned:
            self.finish(order_id, "returned", on_hand_sign=1, reserved_sign=0)

    @rule(index=st.integers(0, PRODUCTS - 1), delta=st.integers(-6, 6).filter(bool))
    def adjust(self, index, delta):
        product_id = self.products[index]
        fits = self.on_hand[product_id] + delta >= self.reserved[product_id]
        try:
            services.stock_adjust(
                product_id=product_id, delta=delta, reason="count", actor=ACTOR
            )
        except StockBelowReserved:
            assert not fits
        else:
            assert fits
            self.on_hand[product_id] += delta

    @invariant()
    def database_agrees_with_the_model(self):
        if not hasattr(self, "products"):
            return
        rows = StockItem.objects.filter(pk__in=self.products)
        assert {r.pk: (r.on_hand, r.reserved) for r in rows} == {
            p: (self.on_hand[p], self.reserved[p]) for p in self.products
        }
        statuses = Reservation.objects.filter(order_id__in=self.orders)
        assert dict(statuses.values_list("order_id", "status")) == {
            order_id: status for order_id, (status, _) in self.orders.items()
        }

    @invariant()
    def invariants_hold(self):
        if hasattr(self, "products"):
            assert selectors.stock_violations(product_ids=self.products) == []


@pytest.mark.django_db
def test_inventory_behaves_like_its_model():
    run_state_machine_as_test(
        Inventory,
        settings=settings(
            max_examples=10,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[
                HealthCheck.function_scoped_fixture,
                HealthCheck.too_slow,
            ],
        ),
    )
