"""Races on the real database: in services mode these run on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from apps.catalog import selectors, services
from apps.catalog.models import Product, ProductAvailability
from tests.conftest import client_for, make_user

URL = "/api/v1/catalog/products/"


def run_together(count: int, fn) -> list:
    """Runs `fn(i)` in `count` threads released at once, each on its own
    database connections."""
    barrier = threading.Barrier(count, timeout=10)

    def call(i):
        try:
            barrier.wait()
            return fn(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_sku_give_one_201_and_field_level_400s():
    staff = client_for(make_user(email="race@example.com", is_staff=True))

    statuses = run_together(
        4,
        lambda i: staff.post(
            URL,
            {"sku": "RACE-1" if i % 2 else "race-1", "name": f"R{i}", "price": "1"},
            format="json",
        ),
    )

    assert sorted(r.status_code for r in statuses) == [201, 400, 400, 400]
    for response in statuses:
        if response.status_code == 400:
            assert response.json()["errors"] == {
                "sku": ["A product with this SKU already exists."]
            }
    assert Product.objects.filter(sku__iexact="race-1").count() == 1


@pytest.mark.django_db
def test_a_lost_race_past_the_check_is_still_a_field_level_400(
    staff_client, make_product, monkeypatch
):
    make_product(sku="RACE-2")
    monkeypatch.setattr(selectors, "product_sku_taken", lambda **kw: False)

    response = staff_client.post(
        URL, {"sku": "race-2", "name": "Late", "price": "1.00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "sku": ["A product with this SKU already exists."]
    }
    assert Product.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_stock_levels_keep_the_highest_version(make_product):
    # A few products, as the race (first insert against a later version) is
    # only sometimes hit by one round.
    for _round in range(4):
        product = make_product()

        applied = run_together(
            6,
            lambda i, pk=product.pk: services.product_availability_apply(
                product_id=pk, in_stock=i % 2 == 1, version=i + 1
            ),
        )

        row = ProductAvailability.objects.get(pk=product.pk)
        assert (row.in_stock, row.version) == (True, 6)
        assert applied[5] is True  # the newest always lands
        assert Product.objects.get(pk=product.pk).in_stock is True


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_to_one_product_take_distinct_positions(make_product, media):
    from tests.catalog.images import image_bytes, upload

    product = make_product()
    staff = client_for(make_user(email="images@example.com", is_staff=True))

    responses = run_together(
        4,
        lambda i: staff.post(
            f"{URL}{product.pk}/images/",
            {"image": upload(image_bytes("PNG", size=(40, 30))), "alt_text": str(i)},
            format="multipart",
        ),
    )

    assert [r.status_code for r in responses] == [201] * 4
    positions = sorted(r.json()["position"] for r in responses)
    assert positions == [0, 1, 2, 3]
