"""The order's one shape (OrderSerializer) in every state; placement answers
from what it wrote, with a fixed number of statements."""

import re
from contextlib import ExitStack

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from apps.common.db import alias_for
from tests.conftest import users_hosted
from tests.orders.helpers import place

pytestmark = pytest.mark.django_db


def test_a_placed_order_answers_as_it_reads_back(customer_client, catalog):
    placed = place(customer_client).json()

    read = customer_client.get(f"/api/v1/orders/{placed['id']}/").json()

    assert placed == read
    assert placed["shipment"] is None
    assert placed["payments"] == []
    assert placed["item_count"] == sum(line["quantity"] for line in placed["lines"])
    assert set(placed["shipping_address"]) == {
        "name",
        "line1",
        "line2",
        "city",
        "postal_code",
        "country",
    }


def test_a_delivered_order_with_payments_shows_them_all(
    confirmed_order, customer_client, staff_client
):
    url = f"/api/v1/orders/{confirmed_order.id}"
    for token in ("tok_declined", "tok_success"):
        customer_client.post(f"{url}/pay/", {"payment_token": token}, format="json")
    staff_client.post(
        f"{url}/ship/", {"carrier": "DHL", "tracking_number": "T-9"}, format="json"
    )
    staff_client.post(f"{url}/deliver/", format="json")

    order = customer_client.get(f"{url}/").json()

    assert order["status"] == "delivered"
    assert order["reservation_expires_at"] is None  # the hold ended at payment
    assert [p["status"] for p in order["payments"]] == ["declined", "captured"]
    assert order["payments"][0]["last_error"] != ""
    assert order["shipment"]["carrier"] == "DHL"
    assert order["shipment"]["tracking_number"] == "T-9"
    assert order["shipment"]["delivered_at"] is not None


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
def test_placement_writes_in_one_transaction_and_answers_from_memory(
    customer_client, catalog, settings, monkeypatch
):
    # Through a broker (here a hand-over to nobody) no saga runs in-process.
    settings.EVENTS_DELIVERY = "celery"
    monkeypatch.setattr(
        "apps.eventbus.outbox.hand_over", lambda envelope, consumers=None: None
    )
    place(customer_client)  # warm up

    statements = statements_of_one_placement(customer_client)

    # The token's user is read where users is hosted, else built from the token.
    token_user = [["SELECT users_user"]] if users_hosted() else []
    assert statements == [
        *token_user,
        ["SELECT orders_taxrate"],  # the shipping country's rates
        ["SELECT orders_orderline"],  # what the customer holds unpaid
        ["INSERT orders_order"],
        ["INSERT orders_orderline"],
        ["INSERT eventbus_outboxevent"],
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
    assert any('INSERT INTO "orders_order"' in sql for sql in prepared)
    assert any('FROM "users_user"' in sql for sql in prepared)
