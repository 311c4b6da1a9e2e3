"""`order_out` renders exactly what OrderSerializer (the documented shape)
would, in every state; placement answers with a fixed number of queries."""

import re
from contextlib import ExitStack

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.common.db import alias_for
from apps.orders import selectors
from apps.orders.api.serializers import OrderSerializer, order_out
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


def rendered_both_ways(order_id):
    order = selectors.order_get(order_id=order_id)
    return order_out(order), dict(OrderSerializer(order).data)


def test_a_placed_order_renders_as_the_serializer_does(customer_client, catalog):
    placed = place(customer_client).json()

    lean, documented = rendered_both_ways(placed["id"])

    assert lean == documented
    assert placed == lean  # the placement answer without reading the order back
    assert lean["shipment"] is None
    assert lean["payments"] == []
    assert lean["reservation_expires_at"] is None


def test_a_delivered_order_with_payments_renders_as_the_serializer_does(
    confirmed_order, customer_client, staff_client
):
    url = f"/api/v1/orders/{confirmed_order.id}"
    for token in ("tok_declined", "tok_success"):
        customer_client.post(f"{url}/pay/", {"payment_token": token}, format="json")
    staff_client.post(
        f"{url}/ship/", {"carrier": "DHL", "tracking_number": "T-9"}, format="json"
    )
    staff_client.post(f"{url}/deliver/", format="json")

    lean, documented = rendered_both_ways(confirmed_order.id)

    assert lean == documented
    assert lean["status"] == "delivered"
    assert lean["reservation_expires_at"] == "2030-01-01T12:00:00Z"
    assert [p["status"] for p in lean["payments"]] == ["declined", "captured"]
    assert lean["payments"][0]["last_error"] != ""
    assert lean["shipment"]["carrier"] == "DHL"
    assert lean["shipment"]["delivered_at"] is not None


READ = re.compile(r"^\s*SELECT\b.*?\bFROM \"?(\w+)", re.S)
WRITE = re.compile(r"\b(INSERT INTO|UPDATE) \"?(\w+)")


def statements_of_one_placement(client) -> list[list[str]]:
    """What each statement on any database reads or writes (`<verb> <table>`;
    one statement may write several tables), in order per database;
    transaction control left out."""
    with ExitStack() as stack:
        captured = [
            stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in connections
        ]
        assert place(client).status_code == 201
    found = []
    for capture in captured:
        for query in capture.captured_queries:
            sql = query["sql"]
            touched = [
                f"{verb.split()[0]} {table}" for verb, table in WRITE.findall(sql)
            ]
            if not touched and (read := READ.match(sql)):
                touched = [f"SELECT {read[1]}"]
            if touched:
                found.append(touched)
    return found


@pytest.mark.django_db(transaction=True)  # the after-commit hand-over runs
def test_placement_writes_in_one_transaction_and_reads_nothing_back(
    customer_client, catalog, settings, monkeypatch
):
    # Through a broker (here a hand-over to nobody) no saga runs in-process,
    # so the answer is rendered from what was just written.
    settings.EVENTS_DELIVERY = "celery"
    monkeypatch.setattr("apps.eventbus.outbox.hand_over", lambda envelope: None)
    place(customer_client)  # warm up
    inserts = [
        "INSERT orders_order",
        "INSERT orders_orderline",
        "INSERT eventbus_outboxevent",
    ]
    # On PostgreSQL one statement of data-modifying CTEs (place_sql).
    one_statement = connections["default"].vendor == "postgresql"
    writes = [inserts] if one_statement else [[insert] for insert in inserts]

    statements = statements_of_one_placement(customer_client)

    assert statements == [
        ["SELECT users_user"],  # the token's user
        *writes,
        ["UPDATE eventbus_outboxevent"],  # marked sent after the hand-over
    ]


@pytest.mark.services  # prepared statements exist on PostgreSQL only
@pytest.mark.django_db(transaction=True)
def test_repeated_checkouts_run_prepared_statements(customer_client, catalog):
    for _ in range(6):  # psycopg prepares a statement on its sixth run
        assert place(customer_client).status_code == 201

    prepared = []
    for alias in {alias_for("users"), alias_for("orders")}:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared += [row[0] for row in cursor.fetchall()]

    # Parsed and planned once per connection, not once per checkout.
    assert any("INSERT INTO orders_order" in sql for sql in prepared)
    assert any('FROM "users_user"' in sql for sql in prepared)
