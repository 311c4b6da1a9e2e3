"""Periodic jobs in the embedded default (no broker, no beat process)."""

import pytest

from apps.common import embedded_beat
from apps.common.embedded_beat import EmbeddedBeat

ADDRESS = {
    "name": "Ada",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def test_an_entry_is_due_at_once_then_after_each_interval(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        "every-minute": {"task": "a", "schedule": 60.0},
        "crontab-like": {"task": "b", "schedule": object()},
    }
    beat = EmbeddedBeat()

    assert [e["task"] for e in beat.due_entries(now=1000.0)] == ["a"]
    assert beat.due_entries(now=1059.0) == []
    assert [e["task"] for e in beat.due_entries(now=1060.0)] == ["a"]


@pytest.mark.django_db(transaction=True)
def test_a_request_runs_due_jobs_so_an_unpaid_order_expires(
    settings, monkeypatch, staff_client, customer_client
):
    # Given a confirmed order whose reservation is already past its time
    settings.RESERVATION_TIMEOUT_MINUTES = 0
    product = staff_client.post(
        "/api/v1/catalog/products/",
        {"sku": "BEAT-1", "name": "Beat", "price": "5.00"},
        format="json",
    ).json()
    staff_client.post(
        f"/api/v1/inventory/stock/{product['id']}/adjustments/",
        {"delta": 3, "reason": "receipt"},
        format="json",
    )
    order = customer_client.post(
        "/api/v1/orders/",
        {
            "items": [{"product_id": product["id"], "quantity": 2}],
            "shipping_address": ADDRESS,
        },
        format="json",
    ).json()
    assert order["status"] == "confirmed"

    # When any request is answered with the embedded beat on
    settings.EMBEDDED_BEAT = True
    settings.CELERY_BEAT_SCHEDULE = {
        "expire": {"task": "inventory.expire_reservations", "schedule": 60.0}
    }
    monkeypatch.setattr(embedded_beat, "embedded_beat", EmbeddedBeat())
    customer_client.get("/healthz")

    # Then the reservation expired and the order was cancelled
    after = customer_client.get(f"/api/v1/orders/{order['id']}/").json()
    assert after["status"] == "cancelled"
    stock = staff_client.get(f"/api/v1/inventory/stock/{product['id']}/").json()
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (3, 0, 3)
