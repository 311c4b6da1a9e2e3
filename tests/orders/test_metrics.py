"""The saga's and the payments' metrics count what happened, once."""

import contextlib

import pytest
from django.test import Client
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from apps.orders.gateway import GatewayTransientError, TestGateway, gateway_breaker
from tests.orders.helpers import (
    GADGET_ID,
    expired,
    inventory_says,
    place,
    reservation_failed,
    reserved,
)

pytestmark = pytest.mark.django_db


def sample(name, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def outcomes() -> dict[str, float]:
    return {
        o: sample("orders_saga_outcomes_total", outcome=o)
        for o in ("confirmed", "failed", "expired")
    }


def test_each_saga_outcome_is_counted_once_and_confirmation_is_timed(
    customer_client, catalog, deliver_events
):
    before = outcomes()
    placed_before = sample("orders_placed_total")
    timed_before = sample("orders_placement_to_confirmed_seconds_count")
    first = place(customer_client).json()["id"]
    gadget = [{"product_id": str(GADGET_ID), "quantity": 1}]
    second = place(customer_client, gadget).json()["id"]

    inventory_says(reserved(first))
    inventory_says(reserved(first))  # a second answer for the same order
    inventory_says(reservation_failed(second))
    deliver_events()

    after = outcomes()
    assert sample("orders_placed_total") == placed_before + 2
    assert {o: after[o] - before[o] for o in after} == {
        "confirmed": 1,
        "failed": 1,
        "expired": 0,
    }
    assert sample("orders_placement_to_confirmed_seconds_count") == timed_before + 1


def test_an_expired_reservation_counts_as_expired(confirmed_order, deliver_events):
    before = sample("orders_saga_outcomes_total", outcome="expired")

    inventory_says(expired(confirmed_order.id, confirmed_order.reservation_id))
    deliver_events()

    assert sample("orders_saga_outcomes_total", outcome="expired") == before + 1


@pytest.mark.parametrize(
    ("token", "status", "outcome"),
    [("tok_success", 200, "paid"), ("tok_declined", 402, "declined")],
)
def test_payments_are_counted_by_outcome(
    confirmed_order, customer_client, token, status, outcome
):
    before = sample("orders_payments_total", outcome=outcome)

    response = customer_client.post(
        f"/api/v1/orders/{confirmed_order.id}/pay/",
        {"payment_token": token},
        format="json",
    )

    assert response.status_code == status
    assert sample("orders_payments_total", outcome=outcome) == before + 1


def scraped_payments() -> dict[str, float]:
    """orders_payments_total by outcome, as a Prometheus scrape of /metrics
    reads it."""
    response = Client().get("/metrics")
    assert response.status_code == 200
    return {
        s.labels["outcome"]: s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
        if s.name == "orders_payments_total"
    }


def counted_between(before: dict[str, float], after: dict[str, float]) -> dict:
    """The outcomes counted in between, by how many."""
    return {
        outcome: value - before.get(outcome, 0.0)
        for outcome, value in after.items()
        if value != before.get(outcome, 0.0)
    }


def pay(client, order, token="tok_success"):
    return client.post(
        f"/api/v1/orders/{order.id}/pay/", {"payment_token": token}, format="json"
    )


def test_a_provider_time_out_is_scraped_as_an_unavailable_payment(
    confirmed_order, customer_client, monkeypatch
):
    def time_out(self, **kwargs):
        raise GatewayTransientError("read timeout")

    monkeypatch.setattr(TestGateway, "charge", time_out)
    before = scraped_payments()

    response = pay(customer_client, confirmed_order)

    assert response.status_code == 503
    assert response.json()["code"] == "payment_gateway_unavailable"
    assert counted_between(before, scraped_payments()) == {"unavailable": 1}


def test_a_payment_refused_by_the_open_breaker_is_scraped_as_unavailable(
    confirmed_order, customer_client, settings
):
    settings.ORDERS_BREAKER_THRESHOLD = 1
    with contextlib.suppress(GatewayTransientError), gateway_breaker().guard():
        raise GatewayTransientError("provider down")
    before = scraped_payments()

    response = pay(customer_client, confirmed_order)

    assert response.status_code == 503
    assert TestGateway.captures() == 0
    assert counted_between(before, scraped_payments()) == {"unavailable": 1}
