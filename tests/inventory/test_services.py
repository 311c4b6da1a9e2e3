import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.common.db import alias_for
from apps.common.errors import ValidationFailed
from apps.inventory import services
from apps.inventory.errors import (
    StockBelowReserved,
    StockInvariantBroken,
    StockItemNotFound,
)
from apps.inventory.models import Reservation, StockItem, StockMovement
from apps.inventory.services import reservations as reservations_module
from apps.inventory.services.stock import Change, apply_changes
from tests.inventory.conftest import ledger, levels, published

pytestmark = pytest.mark.django_db

LEVEL = "inventory.stock.level_changed.v1"
AVAILABILITY = "inventory.stock.availability_changed.v1"
ACTOR = "test"


def reserve(order_id, *lines):
    return services.stock_reserve(order_id=order_id, lines=lines, actor=ACTOR)


def test_new_stock_item_has_nothing_and_creating_twice_keeps_one(stock):
    product_id = uuid.uuid4()

    _, created = services.stock_item_create(product_id=product_id)
    _, again = services.stock_item_create(product_id=product_id)

    assert (created, again) == (True, False)
    assert levels(product_id) == (0, 0)
    assert StockItem.objects.filter(pk=product_id).count() == 1


def test_receipt_and_adjustment_write_the_ledger_and_publish_levels(stock):
    product_id = stock(10)

    item = services.stock_adjust(
        product_id=product_id, delta=-3, reason="broken", actor="user:1"
    )

    assert (item.on_hand, item.reserved, item.version) == (7, 0, 2)
    assert ledger(product_id) == [("receipt", 10, 0), ("adjustment", -3, 0)]
    movement = StockMovement.objects.filter(stock_item_id=product_id).last()
    assert (movement.reference, movement.actor) == ("broken", "user:1")
    assert [(p["on_hand"], p["available"], p["version"]) for p in published(LEVEL)] == [
        (10, 10, 1),
        (7, 7, 2),
    ]


def test_availability_is_published_only_when_a_product_sells_out_or_comes_back(
    stock,
):
    product_id = stock(2)  # version 1, from nothing on hand: back
    reserve(uuid.uuid4(), (product_id, 1))  # 2 left 1: no flip
    reserve(uuid.uuid4(), (product_id, 1))  # sold out
    services.stock_adjust(product_id=product_id, delta=1, reason="found", actor=ACTOR)

    flips = [(p["in_stock"], p["version"]) for p in published(AVAILABILITY)]
    assert flips == [(True, 1), (False, 3), (True, 4)]  # the last with 1 available
    assert {p["product_id"] for p in published(AVAILABILITY)} == {str(product_id)}
    assert len(published(LEVEL)) == 4
    assert all(
        set(p) == {"product_id", "in_stock", "version"} for p in published(AVAILABILITY)
    )


def test_adjustment_below_reserved_is_refused_and_changes_nothing(stock):
    product_id = stock(5)
    reserve(uuid.uuid4(), (product_id, 3))
    events_before = len(published(LEVEL))

    with pytest.raises(StockBelowReserved) as refused:
        services.stock_adjust(
            product_id=product_id, delta=-3, reason="count", actor=ACTOR
        )

    assert refused.value.detail == (
        "On hand cannot go below reserved: at most 2 can be removed."
    )
    assert refused.value.extra == {"errors": {"delta": ["At least -2 allowed."]}}
    assert levels(product_id) == (5, 3)
    assert ledger(product_id) == [("receipt", 5, 0), ("reservation", 0, 3)]
    assert len(published(LEVEL)) == events_before


def test_an_adjustment_of_the_most_units_with_the_longest_reason_applies(stock):
    product_id = stock(0)

    item = services.stock_adjust(
        product_id=product_id, delta=1_000_000, reason="r" * 200, actor=ACTOR
    )

    assert (item.on_hand, item.reserved) == (1_000_000, 0)
    assert ledger(product_id) == [("adjustment", 1_000_000, 0)]


def test_the_ledger_keeps_the_first_100_characters_of_a_long_actor(stock):
    product_id = stock(0)

    services.stock_adjust(
        product_id=product_id, delta=1, reason="count", actor="a" * 99 + "bc"
    )

    movement = StockMovement.objects.get(stock_item_id=product_id)
    assert movement.actor == "a" * 99 + "b"


def test_adjustment_of_unknown_product_is_not_found(db):
    product_id = uuid.uuid4()

    with pytest.raises(StockItemNotFound):
        services.stock_adjust(product_id=product_id, delta=4, reason="x", actor=ACTOR)

    assert StockMovement.objects.count() == 0


@pytest.mark.parametrize(
    ("delta", "reason", "errors"),
    [
        (0, "x", {"delta": ["Must not be zero."]}),
        ("3", "x", {"delta": ["A whole number is required."]}),
        (5, "  ", {"reason": ["This field is required."]}),
        (
            10**7,
            "x" * 201,
            {
                "delta": ["Must be between -1000000 and 1000000."],
                "reason": ["At most 200 characters."],
            },
        ),
    ],
)
def test_invalid_adjustment_is_refused_field_by_field(stock, delta, reason, errors):
    product_id = stock(2)

    with pytest.raises(ValidationFailed) as invalid:
        services.stock_adjust(
            product_id=product_id, delta=delta, reason=reason, actor=ACTOR
        )

    assert invalid.value.extra["errors"] == errors
    assert levels(product_id) == (2, 0)


def test_reservation_takes_every_line_and_publishes_reserved(stock, settings):
    settings.RESERVATION_TIMEOUT_MINUTES = 7
    a, b = stock(5), stock(2)
    order_id = uuid.uuid4()
    before = timezone.now()

    reservation = reserve(order_id, (a, 2), (b, 2), (a, 1))

    assert reservation.status == "active"
    assert levels(a) == (5, 3)
    assert levels(b) == (2, 2)
    assert sorted(reservation.lines.values_list("product_id", "quantity")) == sorted(
        [(a, 3), (b, 2)]
    )
    [event] = published("inventory.stock.reserved.v1")
    assert event["order_id"] == str(order_id)
    assert sorted(
        (line["product_id"], line["quantity"]) for line in event["lines"]
    ) == sorted([(str(a), 3), (str(b), 2)])
    expires_at = dt.datetime.fromisoformat(event["expires_at"])
    assert (
        before + dt.timedelta(minutes=7)
        <= expires_at
        <= timezone.now() + dt.timedelta(minutes=7)
    )


def test_a_reservation_publishes_the_level_left_available(stock):
    a = stock(5)

    reserve(uuid.uuid4(), (a, 2))

    level = published(LEVEL)[-1]
    assert (level["on_hand"], level["reserved"], level["available"]) == (5, 2, 3)


def test_a_short_line_reserves_nothing_and_publishes_the_short_lines(stock):
    a, b, c = stock(5), stock(1), stock(0)
    order_id = uuid.uuid4()

    reservation = reserve(order_id, (a, 2), (b, 2), (c, 1))

    assert reservation.status == "failed"
    assert [levels(p) for p in (a, b, c)] == [(5, 0), (1, 0), (0, 0)]
    assert [kind for kind, *_ in ledger(a)] == ["receipt"]
    assert published("inventory.stock.reserved.v1") == []
    [event] = published("inventory.stock.reservation_failed.v1")
    assert event["order_id"] == str(order_id)
    assert sorted(
        (line["product_id"], line["requested"], line["available"])
        for line in event["short_lines"]
    ) == sorted([(str(b), 2, 1), (str(c), 1, 0)])


def test_a_line_asking_exactly_what_is_available_is_not_short(stock):
    short, exact = stock(1), stock(3)
    order_id = uuid.uuid4()

    reservation = reserve(order_id, (short, 2), (exact, 3))

    assert reservation.status == "failed"
    assert [levels(p) for p in (short, exact)] == [(1, 0), (3, 0)]
    [event] = published("inventory.stock.reservation_failed.v1")
    assert event["short_lines"] == [
        {"product_id": str(short), "requested": 2, "available": 1}
    ]


def test_the_refused_line_is_short_even_if_stock_arrives_before_the_failure_is_written(
    stock, monkeypatch
):
    a = stock(1)
    order_id = uuid.uuid4()
    # Stock arrives between the refusal and the check of the other lines.
    monkeypatch.setattr(reservations_module, "available_of", lambda product_id: 100)

    reservation = reserve(order_id, (a, 3))

    assert reservation.status == "failed"
    [event] = published("inventory.stock.reservation_failed.v1")
    assert event["short_lines"] == [
        {"product_id": str(a), "requested": 3, "available": 1}
    ]


def test_a_refused_attempt_losing_to_a_concurrent_one_returns_that_reservation(
    stock, monkeypatch
):
    a = stock(1)
    order_id = uuid.uuid4()
    short_lines = reservations_module._short_lines

    def meanwhile(wanted, refused):
        # Another attempt for the same order commits before this one's failure.
        Reservation.objects.create(
            order_id=order_id, status="active", expires_at=timezone.now()
        )
        return short_lines(wanted, refused)

    monkeypatch.setattr(reservations_module, "_short_lines", meanwhile)

    reservation = reserve(order_id, (a, 3))

    assert reservation == Reservation.objects.get(order_id=order_id)
    assert reservation.status == "active"
    assert published("inventory.stock.reservation_failed.v1") == []


def test_a_duplicate_attempt_whose_reservation_vanished_is_reported(stock, monkeypatch):
    a = stock(1)
    order_id = uuid.uuid4()

    def duplicate(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(reservations_module, "_reserve", duplicate)

    with pytest.raises(StockInvariantBroken) as broken:
        reserve(order_id, (a, 1))

    assert broken.value.detail == f"reservation of order {order_id} vanished"
    assert levels(a) == (1, 0)


def test_an_order_taking_all_that_is_available_is_reserved(stock):
    a = stock(3)

    reservation = reserve(uuid.uuid4(), (a, 3))

    assert reservation.status == "active"
    assert levels(a) == (3, 3)


def test_a_line_of_the_most_units_is_reserved(stock):
    a = stock(1_000_000)

    reservation = reserve(uuid.uuid4(), (a, 1_000_000))

    assert reservation.status == "active"
    assert levels(a) == (1_000_000, 1_000_000)


def test_unknown_product_fails_the_reservation(stock):
    a, unknown = stock(5), uuid.uuid4()

    reservation = reserve(uuid.uuid4(), (a, 1), (unknown, 1))

    assert reservation.status == "failed"
    assert levels(a) == (5, 0)
    [event] = published("inventory.stock.reservation_failed.v1")
    assert event["short_lines"] == [
        {"product_id": str(unknown), "requested": 1, "available": 0}
    ]


def test_reserving_the_same_order_twice_makes_one_reservation(stock):
    a = stock(5)
    order_id = uuid.uuid4()

    first = reserve(order_id, (a, 2))
    second = reserve(order_id, (a, 2))

    assert first.pk == second.pk
    assert levels(a) == (5, 2)
    assert Reservation.objects.filter(order_id=order_id).count() == 1
    assert len(published("inventory.stock.reserved.v1")) == 1


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "An order needs at least one line."),
        ([("p", 0)], "Quantities must be at least 1."),
        ([("p", 1.5)], "Quantities must be whole numbers."),
        ([("p", True)], "Quantities must be whole numbers."),
    ],
)
def test_malformed_lines_are_refused(stock, lines, message):
    a = stock(3)
    lines = [(a, q) for _, q in lines]

    with pytest.raises(ValidationFailed) as refused:
        services.stock_reserve(order_id=uuid.uuid4(), lines=lines, actor=ACTOR)

    assert refused.value.extra["errors"] == {"lines": [message]}

    assert Reservation.objects.count() == 0
    assert levels(a) == (3, 0)


def test_release_gives_the_stock_back_once(stock):
    a = stock(4)
    order_id = uuid.uuid4()
    reserve(order_id, (a, 3))

    first = services.reservation_release(
        order_id=order_id, reason="customer", actor=ACTOR
    )
    second = services.reservation_release(
        order_id=order_id, reason="customer", actor=ACTOR
    )

    assert (first, second) == (True, False)
    assert levels(a) == (4, 0)
    reservation = Reservation.objects.get(order_id=order_id)
    assert reservation.status == "released"
    [event] = published("inventory.stock.released.v1")
    assert (event["order_id"], event["reservation_id"], event["reason"]) == (
        str(order_id),
        str(reservation.id),
        "customer",
    )


def test_sale_takes_on_hand_and_reserved_and_return_puts_it_back(stock):
    a = stock(4)
    order_id = uuid.uuid4()
    reserve(order_id, (a, 3))

    assert services.reservation_sell(order_id=order_id, actor=ACTOR) is True
    assert levels(a) == (1, 0)
    assert services.reservation_sell(order_id=order_id, actor=ACTOR) is False
    assert (
        services.reservation_release(order_id=order_id, reason="x", actor=ACTOR)
        is False
    )
    assert services.reservation_return(order_id=order_id, actor=ACTOR) is True
    assert services.reservation_return(order_id=order_id, actor=ACTOR) is False

    assert levels(a) == (4, 0)
    assert ledger(a) == [
        ("receipt", 4, 0),
        ("reservation", 0, 3),
        ("sale", -3, -3),
        ("return", 3, 0),
    ]
    assert [p["version"] for p in published(LEVEL)] == [1, 2, 3, 4]
    references = StockMovement.objects.filter(stock_item_id=a).exclude(kind="receipt")
    assert set(references.values_list("reference", flat=True)) == {str(order_id)}


def test_events_for_unknown_orders_change_nothing(stock):
    a = stock(2)
    order_id = uuid.uuid4()

    results = [
        services.reservation_release(order_id=order_id, reason="x", actor=ACTOR),
        services.reservation_sell(order_id=order_id, actor=ACTOR),
        services.reservation_return(order_id=order_id, actor=ACTOR),
    ]

    assert results == [False, False, False]
    assert levels(a) == (2, 0)


def test_expiry_releases_only_reservations_past_their_time(stock):
    a = stock(5)
    due, fresh = uuid.uuid4(), uuid.uuid4()
    reserve(due, (a, 2))
    reserve(fresh, (a, 1))
    Reservation.objects.filter(order_id=due).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert services.reservations_expire_due() == 1
    assert services.reservations_expire_due() == 0

    assert levels(a) == (5, 1)
    expired = Reservation.objects.get(order_id=due)
    assert expired.status == "expired"
    assert Reservation.objects.get(order_id=fresh).status == "active"
    [event] = published("inventory.reservation.expired.v1")
    assert (event["order_id"], event["reservation_id"]) == (str(due), str(expired.id))
    release = StockMovement.objects.get(stock_item_id=a, kind="release")
    assert (release.reference, release.actor) == (str(due), "system:expiry")


def test_expiring_a_reservation_before_its_time_changes_nothing(stock):
    a = stock(2)
    order_id = uuid.uuid4()
    reservation = reserve(order_id, (a, 1))

    expired = services.reservation_expire(reservation_id=reservation.id)

    assert expired is False
    assert levels(a) == (2, 1)
    assert Reservation.objects.get(order_id=order_id).status == "active"
    assert published("inventory.reservation.expired.v1") == []


def test_expiring_an_unknown_reservation_is_false(db):
    assert services.reservation_expire(reservation_id=uuid.uuid4()) is False


def test_expiry_looks_only_at_active_reservations(stock):
    a = stock(1)
    failed, due = uuid.uuid4(), uuid.uuid4()
    reserve(failed, (a, 2))
    reserve(due, (a, 1))
    # A failed reservation's time is up from the start; make it the oldest.
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    Reservation.objects.filter(order_id=failed).update(expires_at=hour_ago)
    Reservation.objects.filter(order_id=due).update(
        expires_at=hour_ago + dt.timedelta(minutes=1)
    )

    assert services.reservations_expire_due(limit=1) == 1

    assert Reservation.objects.get(order_id=due).status == "expired"
    assert levels(a) == (1, 0)


def test_an_expiry_run_with_nothing_due_only_reads(stock):
    a = stock(2)
    reserve(uuid.uuid4(), (a, 1))

    with CaptureQueriesContext(connections[alias_for("inventory")]) as queries:
        assert services.reservations_expire_due() == 0

    assert len(queries.captured_queries) == 1


def test_ending_a_reservation_marks_when_it_changed(stock):
    a = stock(2)
    order_id = uuid.uuid4()
    reserved_at = reserve(order_id, (a, 1)).updated_at

    services.reservation_release(order_id=order_id, reason="x", actor=ACTOR)

    assert Reservation.objects.get(order_id=order_id).updated_at > reserved_at


def test_expiry_takes_at_most_500_reservations_a_run_oldest_first(db):
    past = timezone.now() - dt.timedelta(hours=1)
    Reservation.objects.bulk_create(
        Reservation(
            order_id=uuid.uuid4(),
            status="active",
            expires_at=past + dt.timedelta(seconds=i),
        )
        for i in range(501)
    )
    latest = Reservation.objects.order_by("expires_at").last()

    assert services.reservations_expire_due() == 500

    assert list(Reservation.objects.filter(status="active")) == [latest]


def test_payment_after_expiry_sells_from_what_is_available(stock):
    a = stock(5)
    order_id = uuid.uuid4()
    reserve(order_id, (a, 2))
    services.reservations_expire_due(now=timezone.now() + dt.timedelta(days=1))

    assert services.reservation_sell(order_id=order_id, actor=ACTOR) is True

    assert levels(a) == (3, 0)
    assert Reservation.objects.get(order_id=order_id).status == "sold"


def test_payment_after_expiry_with_the_stock_gone_changes_nothing(stock):
    a = stock(2)
    late = uuid.uuid4()
    reserve(late, (a, 2))
    services.reservations_expire_due(now=timezone.now() + dt.timedelta(days=1))
    reserve(uuid.uuid4(), (a, 2))

    assert services.reservation_sell(order_id=late, actor=ACTOR) is False

    assert levels(a) == (2, 2)
    assert Reservation.objects.get(order_id=late).status == "expired"


def test_the_ledger_is_append_only(stock):
    a = stock(1)
    movement = StockMovement.objects.get(stock_item_id=a)

    with pytest.raises(TypeError):
        movement.save()
    with pytest.raises(TypeError):
        movement.delete()
    with pytest.raises(TypeError):
        StockMovement.objects.filter(pk=movement.pk).update(on_hand_delta=5)
    with pytest.raises(TypeError):
        StockMovement.objects.all().delete()

    assert ledger(a) == [("receipt", 1, 0)]


@pytest.mark.parametrize(("on_hand", "reserved"), [(1, 2), (3, -1)])
def test_database_refuses_reserved_outside_zero_to_on_hand(stock, on_hand, reserved):
    a = stock(0)

    with pytest.raises(IntegrityError), transaction.atomic(using=StockItem.objects.db):
        StockItem.objects.filter(pk=a).update(on_hand=on_hand, reserved=reserved)

    assert levels(a) == (0, 0)


def end_reservation(end: str, order_id, reservation_id):
    if end == "release":
        return services.reservation_release(order_id=order_id, reason="x", actor=ACTOR)
    if end == "sell":
        return services.reservation_sell(order_id=order_id, actor=ACTOR)
    return services.reservation_expire(
        reservation_id=reservation_id, now=timezone.now() + dt.timedelta(days=1)
    )


@pytest.mark.parametrize("end", ["release", "sell", "expire"])
def test_a_stock_row_refusing_the_end_of_a_reservation_changes_nothing(stock, end):
    a = stock(4)
    order_id = uuid.uuid4()
    reservation = reserve(order_id, (a, 3))
    # Broken by hand: the row holds fewer reserved units than the reservation.
    StockItem.objects.filter(pk=a).update(reserved=1)
    movements, level_events = ledger(a), published(LEVEL)

    with pytest.raises(StockInvariantBroken) as broken:
        end_reservation(end, order_id, reservation.id)

    assert broken.value.detail == f"{a}: only 3 available"

    assert levels(a) == (4, 1)
    assert Reservation.objects.get(order_id=order_id).status == "active"
    assert ledger(a) == movements
    assert published(LEVEL) == level_events
    for event_type in ("stock.released", "reservation.expired"):
        assert published(f"inventory.{event_type}.v1") == []


def test_changes_apply_and_report_in_product_id_order(stock):
    low, high = sorted([stock(5), stock(5)])

    levels_after = apply_changes(
        [Change(high, 0, 1), Change(low, 0, 2)],
        kind=services.Kind.RESERVATION,
        reference="r",
        actor=ACTOR,
    )

    assert [(e.product_id, e.reserved) for e in levels_after] == [(low, 2), (high, 1)]
    movements = StockMovement.objects.filter(kind="reservation").order_by("id")
    assert [m.stock_item_id for m in movements] == [low, high]


def test_a_negative_receipt_is_refused(stock):
    a = stock(2)

    with pytest.raises(ValidationFailed) as refused:
        services.stock_receive(product_id=a, quantity=-1, reference="DN-1", actor=ACTOR)

    assert refused.value.extra["errors"] == {"quantity": ["Must be positive."]}
    assert levels(a) == (2, 0)


def test_an_adjustment_under_a_delivery_note_does_not_stand_for_its_receipt(stock):
    a = stock(0)
    services.stock_adjust(product_id=a, delta=2, reason="DN-9", actor=ACTOR)

    applied = services.stock_receive(
        product_id=a, quantity=5, reference="DN-9", actor=ACTOR
    )

    assert applied is True
    assert levels(a) == (7, 0)
    assert ledger(a) == [("adjustment", 2, 0), ("receipt", 5, 0)]
