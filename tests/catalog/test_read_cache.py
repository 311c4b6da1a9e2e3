"""The catalog's anonymous reads through the shared cache: served without the
database, fresh after every change the catalog is told of, 304 without
rendering, and never shared with a request that carries credentials."""

import time

import pytest

from apps.catalog import selectors
from tests.catalog.conftest import availability_changed, catalog_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/catalog/products/"
CATEGORIES = "/api/v1/catalog/categories/"


def detail(product) -> str:
    return f"{URL}{product.pk}/"


def read_without_queries(api_client, url, **extra):
    with catalog_queries() as queries:
        response = api_client.get(url, **extra)
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
    return response


def test_a_repeated_anonymous_read_is_answered_from_the_cache(api_client, make_product):
    make_product(sku="C-1", price="3.00")
    first = api_client.get(URL)

    again = read_without_queries(api_client, URL)

    assert again.status_code == 200
    assert again.content == first.content
    assert [p["sku"] for p in again.json()["results"]] == ["C-1"]
    assert again["Content-Type"] == "application/json"
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, no-cache"
    assert {"Accept", "Authorization"} <= set(again["Vary"].split(", "))


def test_if_none_match_is_a_304_without_running_the_view(
    api_client, make_product, monkeypatch
):
    product = make_product(sku="C-1")
    etag = api_client.get(detail(product))["ETag"]

    def fail(**kwargs):
        raise AssertionError("the view ran")

    monkeypatch.setattr(selectors, "product_get_row", fail)
    response = read_without_queries(
        api_client, detail(product), HTTP_IF_NONE_MATCH=etag
    )

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, no-cache"


def test_if_none_match_after_eviction_renders_and_still_answers_304(
    api_client, make_product
):
    from django.core.cache import cache

    product = make_product(sku="C-1")
    etag = api_client.get(detail(product))["ETag"]
    cache.clear()

    response = api_client.get(detail(product), HTTP_IF_NONE_MATCH=f'W/{etag}, "x"')
    other = api_client.get(detail(product), HTTP_IF_NONE_MATCH='"another"')

    assert (response.status_code, response["ETag"]) == (304, etag)
    assert (other.status_code, other["ETag"]) == (200, etag)


def test_a_price_change_is_served_once_the_cache_is_told(
    api_client, staff_client, make_product, deliver_events
):
    product = make_product(sku="C-1", price="3.00")
    before = api_client.get(detail(product))
    assert api_client.get(URL).json()["results"][0]["price"] == "3.00"

    staff_client.patch(detail(product), {"price": "4.50"}, format="json")
    stale = api_client.get(detail(product))  # the event is not delivered yet
    deliver_events()
    fresh = api_client.get(detail(product))

    assert stale.json()["price"] == "3.00"
    assert fresh.json()["price"] == "4.50"
    assert fresh["ETag"] != before["ETag"]
    assert api_client.get(URL).json()["results"][0]["price"] == "4.50"


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"name": "Renamed"}, ("name", "Renamed")),
        ({"description": "New words"}, ("description", "New words")),
    ],
)
def test_any_product_change_reaches_the_cached_reads(
    api_client, staff_client, make_product, deliver_events, change, shown
):
    product = make_product(sku="C-1")
    api_client.get(detail(product))

    staff_client.patch(detail(product), change, format="json")
    deliver_events()

    assert api_client.get(detail(product)).json()[shown[0]] == shown[1]


def test_deactivation_and_reactivation_reach_the_cached_reads(
    api_client, staff_client, make_product, deliver_events
):
    product = make_product(sku="C-1")
    api_client.get(detail(product))

    staff_client.delete(detail(product))
    deliver_events()
    gone = api_client.get(detail(product))
    staff_client.patch(detail(product), {"is_active": True}, format="json")
    deliver_events()
    back = api_client.get(detail(product))

    assert (gone.status_code, back.status_code) == (404, 200)


def test_an_in_stock_flip_reaches_the_cached_reads_and_other_levels_do_not_refill(
    api_client, make_product, deliver_events
):
    product = make_product(sku="C-1")
    deliver_events()
    assert api_client.get(URL, {"in_stock": "true"}).json()["results"] == []

    availability_changed(product.pk, in_stock=True, version=1)
    deliver_events()
    in_stock = api_client.get(URL, {"in_stock": "true"})
    availability_changed(product.pk, in_stock=True, version=2)  # still in stock
    deliver_events()
    unchanged = read_without_queries(api_client, URL, data={"in_stock": "true"})

    assert [p["sku"] for p in in_stock.json()["results"]] == ["C-1"]
    assert unchanged.content == in_stock.content


def test_category_changes_reach_the_cached_reads(
    api_client, staff_client, make_category, deliver_events
):
    make_category("Audio")
    deliver_events()
    assert [c["name"] for c in api_client.get(CATEGORIES).json()["results"]] == [
        "Audio"
    ]

    staff_client.patch(f"{CATEGORIES}audio/", {"name": "Sound"}, format="json")
    staff_client.post(CATEGORIES, {"name": "Video"}, format="json")
    deliver_events()

    names = [c["name"] for c in api_client.get(CATEGORIES).json()["results"]]
    assert names == ["Sound", "Video"]


def test_the_key_holds_path_query_and_host_and_ignores_parameter_order(
    api_client, make_product
):
    for n in range(3):
        make_product(sku=f"C-{n}", price=f"{n + 1}.00")
    api_client.get(URL, {"ordering": "price", "page_size": 2})

    same = read_without_queries(api_client, f"{URL}?page_size=2&ordering=price")
    other_query = api_client.get(URL, {"ordering": "-price", "page_size": 2})
    other_host = api_client.get(
        URL, {"ordering": "price", "page_size": 2}, HTTP_HOST="localhost"
    )

    assert [p["sku"] for p in same.json()["results"]] == ["C-0", "C-1"]
    assert [p["sku"] for p in other_query.json()["results"]] == ["C-2", "C-1"]
    assert same.json()["next"].startswith("http://testserver/")
    assert other_host.json()["next"].startswith("http://localhost/")


def test_staff_and_customers_never_meet_the_shared_cache(
    api_client, staff_client, customer_client, make_product
):
    make_product(sku="ON")
    make_product(sku="OFF", is_active=False)

    staff_first = staff_client.get(URL)  # staff see the inactive product
    anonymous = api_client.get(URL)
    staff_again = staff_client.get(URL)
    customer = customer_client.get(URL)

    assert sorted(p["sku"] for p in staff_first.json()["results"]) == ["OFF", "ON"]
    assert [p["sku"] for p in anonymous.json()["results"]] == ["ON"]
    assert sorted(p["sku"] for p in staff_again.json()["results"]) == ["OFF", "ON"]
    assert [p["sku"] for p in customer.json()["results"]] == ["ON"]
    for response in (staff_first, staff_again, customer):
        assert response["Cache-Control"] == "private, no-cache"
        assert "Authorization" in response["Vary"]
    assert anonymous["Cache-Control"] == "public, no-cache"


def test_a_bad_token_is_refused_even_when_the_read_is_cached(api_client, make_product):
    make_product(sku="ON")
    api_client.get(URL)

    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response["Cache-Control"] == "private, no-cache"


def test_browsable_html_pages_bypass_the_cache(api_client, make_product):
    make_product(sku="ON")
    api_client.get(URL)

    with catalog_queries() as queries:
        page = api_client.get(URL, HTTP_ACCEPT="text/html")

    assert page["Content-Type"].startswith("text/html")
    assert page["Cache-Control"] == "private, no-cache"
    assert len(queries) >= 1


def test_catalog_cache_off_reads_the_database_every_time(
    api_client, make_product, settings
):
    settings.CATALOG_CACHE = False
    make_product(sku="ON")
    api_client.get(URL)

    with catalog_queries() as queries:
        response = api_client.get(URL)

    assert response.status_code == 200
    assert len(queries) == 1
    assert response["ETag"]  # conditional requests still work, uncached


def test_writes_pass_through_untouched(staff_client):
    response = staff_client.post(
        URL, {"sku": "NEW-1", "name": "New", "price": "1.00"}, format="json"
    )

    assert response.status_code == 201
    assert not response.has_header("ETag")
    assert not response.has_header("Cache-Control")


# --- services mode: a real worker tells the cache ------------------------------


def _visible_within(wait_until, predicate, *, seconds: float) -> float:
    started = time.monotonic()
    assert wait_until(predicate, timeout=seconds, interval=0.02)
    return time.monotonic() - started


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_apps("catalog", "inventory", reason="inventory's real stock events")
def test_a_price_change_and_an_in_stock_flip_reach_anonymous_reads_within_a_second(
    api_client, staff_client, celery_worker, wait_until
):
    created = staff_client.post(
        URL, {"sku": "LIVE-1", "name": "Live", "price": "3.00"}, format="json"
    )
    url = f"{URL}{created.json()['id']}/"
    stock = f"/api/v1/inventory/stock/{created.json()['id']}/"
    assert wait_until(lambda: staff_client.get(stock).status_code == 200)
    assert api_client.get(url).json()["price"] == "3.00"  # cached from here on
    assert api_client.get(URL, {"in_stock": "true"}).json()["results"] == []

    staff_client.patch(url, {"price": "4.50"}, format="json")
    price_seconds = _visible_within(
        wait_until,
        lambda: api_client.get(url).json()["price"] == "4.50",
        seconds=1.0,
    )
    staff_client.post(
        f"{stock}adjustments/", {"delta": 2, "reason": "delivery"}, format="json"
    )
    stock_seconds = _visible_within(
        wait_until,
        lambda: api_client.get(URL, {"in_stock": "true"}).json()["results"],
        seconds=1.0,
    )

    assert price_seconds < 1.0
    assert stock_seconds < 1.0
    assert api_client.get(url).json()["in_stock"] is True


def test_a_read_that_raced_a_change_is_never_served_afterwards(
    api_client, make_product, monkeypatch
):
    from apps.common.http_cache import generation_advance

    product = make_product(sku="C-1")
    row = selectors.product_get_row

    def read_then_change(**kwargs):
        found = row(**kwargs)  # what the read saw, before the change commits
        generation_advance(namespace="catalog")
        return found

    monkeypatch.setattr(selectors, "product_get_row", read_then_change)
    api_client.get(detail(product))
    monkeypatch.setattr(selectors, "product_get_row", row)

    with catalog_queries() as queries:
        again = api_client.get(detail(product))

    assert again.status_code == 200
    assert len(queries) == 3  # rendered again (product, images, variants)
    read_without_queries(api_client, detail(product))


def test_a_lost_generation_empties_the_cache_instead_of_reviving_entries(
    api_client, make_product
):
    from django.core.cache import cache

    product = make_product(sku="C-1")
    api_client.get(detail(product))
    cache.delete("reads:catalog:generation")  # evicted

    with catalog_queries() as queries:
        api_client.get(detail(product))

    assert len(queries) == 3  # rendered again: the product, its images and variants


def test_each_read_is_counted_and_a_hit_keeps_its_route(
    api_client, customer_client, make_product
):
    from prometheus_client import REGISTRY

    def count(name, **labels) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    def results() -> list[float]:
        return [
            count("read_cache_requests_total", namespace="catalog", result=result)
            for result in ("miss", "hit", "not_modified", "bypass")
        ]

    route = {"method": "GET", "route": "/api/v1/catalog/products/", "status": "200"}
    make_product(sku="C-1")
    before, routed = results(), count("http_requests_total", **route)

    etag = api_client.get(URL)["ETag"]
    api_client.get(URL)
    api_client.get(URL, HTTP_IF_NONE_MATCH=etag)
    customer_client.get(URL)

    assert [a - b for a, b in zip(results(), before, strict=True)] == [1, 1, 1, 1]
    assert count("http_requests_total", **route) == routed + 3


def test_variant_changes_and_their_stock_reach_the_cached_reads(
    api_client, staff_client, make_shirt, deliver_events
):
    from tests.catalog.conftest import variant_ids

    shirt = make_shirt()
    deliver_events()
    ids = variant_ids(shirt)
    api_client.get(detail(shirt))
    read_without_queries(api_client, detail(shirt))

    staff_client.patch(
        f"{detail(shirt)}variants/{ids['TEE-XL']}/", {"price": "30.00"}, format="json"
    )
    deliver_events()
    priced = api_client.get(detail(shirt)).json()
    availability_changed(ids["TEE-L"], in_stock=True, version=1)
    deliver_events()
    stocked = api_client.get(detail(shirt)).json()

    assert priced["price_max"] == "30.00"
    assert [v["in_stock"] for v in stocked["variants"]] == [False, True, False]
