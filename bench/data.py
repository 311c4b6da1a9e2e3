"""Bench data: users and categories through the public API, 10,000 products
with their variants, images and stock through the apps' services in bulk
(events published and delivered in-process), the race products through the
API and Celery. Idempotent: a database that already holds the products is
reused, only what is missing is added (`outdated` says when it holds another
data set)."""

import json
import random
import subprocess
import time
from dataclasses import dataclass, field

from bench.driver import Client
from stack.procs import PYTHON, ROOT, manage

STAFF = ("bench-staff@example.com", "bench-staff-pass-1")
CUSTOMER_PASSWORD = "plum-orbit-harbor-7"
CUSTOMERS = 20
CATEGORIES = 10
STOCK_PER_PRODUCT = 100_000  # the bare reference reserves units for good
LOAD_PROCESSES = 3
RACE_PRODUCTS = 12


@dataclass
class Fixture:
    client: Client
    staff_token: str
    customers: list[tuple[str, str]]  # (email, password)
    customer_tokens: list[str]
    category_slugs: list[str]
    product_ids: list[str]  # products with stock, sample used by the scenarios
    product_count: int
    race_products: list[str] = field(default_factory=list)
    race_reference_products: list[str] = field(default_factory=list)
    shipping_method_id: str = ""


def token(client: Client, email: str, password: str) -> str:
    status, body, _ = client.request(
        "POST", "/api/v1/auth/token/", {"email": email, "password": password}
    )
    if status != 200:
        raise RuntimeError(f"login of {email} failed: {status} {body}")
    return body["access"]


def ensure_staff(env: dict, client: Client) -> str:
    status, _, _ = client.request(
        "POST", "/api/v1/auth/token/", {"email": STAFF[0], "password": STAFF[1]}
    )
    if status != 200:
        manage(
            {
                **env,
                "DJANGO_SUPERUSER_EMAIL": STAFF[0],
                "DJANGO_SUPERUSER_PASSWORD": STAFF[1],
            },
            "createsuperuser",
            "--noinput",
        )
    return token(client, *STAFF)


def ensure_customers(client: Client) -> list[tuple[str, str]]:
    customers = []
    for n in range(CUSTOMERS):
        email = f"bench-customer-{n}@example.com"
        client.request(
            "POST",
            "/api/v1/auth/register/",
            {
                "email": email,
                "password": CUSTOMER_PASSWORD,
                "first_name": "Bench",
                "last_name": f"C{n}",
            },
        )  # 201, or 400 when it exists already
        customers.append((email, CUSTOMER_PASSWORD))
    return customers


SHIPPING_METHOD = {
    "name": "Bench standard",
    "countries": ["DE"],
    "currency": "EUR",
    "price": "4.90",
    "free_above": "100.00",
}


def ensure_shipping_method(client: Client, staff: str) -> str:
    """The method the checkout scenario ships with (kept from an earlier run)."""
    path = "/api/v1/orders/shipping-methods/"
    _, methods, _ = client.request("GET", path, token=staff)
    for method in methods:
        if method["name"] == SHIPPING_METHOD["name"]:
            return method["id"]
    status, body, _ = client.request("POST", path, SHIPPING_METHOD, token=staff)
    if status != 201:
        raise RuntimeError(f"bench: shipping method not created ({status}): {body}")
    return body["id"]


def ensure_categories(client: Client, staff: str) -> list[str]:
    slugs = [f"bench-category-{n}" for n in range(CATEGORIES)]
    for n, slug in enumerate(slugs):
        client.request(
            "POST",
            "/api/v1/catalog/categories/",
            {"name": f"Bench category {n}", "slug": slug},
            token=staff,
        )
    return slugs


def product_payload(n: int, category: str, prefix="BENCH") -> dict:
    rng = random.Random(n)
    return {
        "sku": f"{prefix}-{n:05d}",
        "name": f"Bench product {n:05d} {rng.choice(['red', 'blue', 'green', 'black'])}",
        "description": "A product made by make bench.",
        "price": f"{rng.randint(100, 50_000) / 100:.2f}",
        "category": category,
    }


VARIANT_EVERY = 10
SIZES = ("S", "M", "L")
SECOND_COLOUR = "white"


def variant_payloads(n: int, payload: dict) -> list[dict]:
    """One product in VARIANT_EVERY comes in 3 to 6 variants over size and
    colour (its own colour, then white), the first of them the product's own
    SKU; the others none."""
    if n % VARIANT_EVERY:
        return []
    colour = payload["name"].rsplit(" ", 1)[1]
    price = float(payload["price"])
    combinations = [(size, colour, "") for size in SIZES] + [
        (size, SECOND_COLOUR, "-W") for size in SIZES
    ]
    count = 3 + (n // VARIANT_EVERY) % 4
    return [
        {
            "sku": payload["sku"] if step == 0 else f"{payload['sku']}-{size}{suffix}",
            "price": f"{price + 2 * step:.2f}",
            "options": {"size": size, "colour": name},
        }
        for step, (size, name, suffix) in enumerate(combinations[:count])
    ]


def image_count(n: int) -> int:
    """Every product has pictures: one, or two for every other product."""
    return 1 + n % 2


SHAPE = (
    f"one in {VARIANT_EVERY} in 3 to 6 variants over size and colour; one JPEG "
    "image with its thumbnails per product, two for every other one"
)


def expected_shape(n: int) -> tuple[int, int]:
    """(sellable variants, images) of bench product n as this code loads it."""
    return max(1, len(variant_payloads(n, product_payload(n, "")))), image_count(n)


def create_product(client: Client, staff: str, payload: dict) -> str:
    status, body, _ = client.request(
        "POST", "/api/v1/catalog/products/", payload, token=staff
    )
    if status != 201:
        raise RuntimeError(f"product {payload['sku']} not created: {status} {body}")
    return body["id"]


def stocked_products(
    client: Client, staff: str, *, count: int, stock: int, prefix: str
) -> list[str]:
    """`count` new products in the first bench category, `stock` units each."""
    slug = ensure_categories(client, staff)[0]
    product_ids = [
        create_product(client, staff, product_payload(n, slug, prefix=prefix))
        for n in range(count)
    ]
    for product_id in product_ids:
        add_stock(client, staff, product_id, stock)
    return product_ids


def add_stock(
    client: Client, staff: str, product_id: str, quantity: int, *, timeout=60
) -> None:
    """The stock item appears when the inventory consumed ProductCreated."""
    deadline = time.monotonic() + timeout
    while True:
        status, body, _ = client.request(
            "POST",
            f"/api/v1/inventory/stock/{product_id}/adjustments/",
            {"delta": quantity, "reason": "bench stock"},
            token=staff,
        )
        if status in (200, 201):
            return
        # 404, or 409 in the instant the item is being created: not there yet.
        if status not in (404, 409) or time.monotonic() > deadline:
            raise RuntimeError(f"stock of {product_id} not adjusted: {status} {body}")
        time.sleep(0.2)


def existing_products(env: dict, prefix: str) -> dict[str, tuple[int, int]]:
    """(sellable variants, images) of each product loaded by an earlier run
    (the listing has no count)."""
    code = (
        "import json; from django.apps import apps; "
        "from django.db.models import Count; "
        "rows = apps.get_model('catalog', 'Product').objects"
        f".filter(sku__startswith={prefix!r}).annotate("
        "v=Count('variants', distinct=True), i=Count('images', distinct=True))"
        ".values_list('sku', 'v', 'i'); "
        "print(json.dumps({s: [v, i] for s, v, i in rows}))"
    )
    output = manage(env, "shell", "-c", code).strip().splitlines()[-1]
    return {sku: tuple(shape) for sku, shape in json.loads(output).items()}


def earlier_reservations_settle(env: dict) -> int:
    """Expire every reservation earlier runs left active, their events
    delivered in-process (no broker): otherwise their expiry, 15 minutes after
    each run, loads the runs that follow. Returns how many."""
    code = (
        "import datetime as dt; from django.utils import timezone; "
        "from apps.inventory.services import reservations_expire_due; "
        "later = timezone.now() + dt.timedelta(days=1); total = 0\n"
        "while n := reservations_expire_due(now=later, limit=500): total += n\n"
        "print(total)"
    )
    in_process = {k: v for k, v in env.items() if k != "CELERY_BROKER_URL"}
    output = manage(in_process, "shell", "-c", code, timeout=1800)
    return int(output.strip().splitlines()[-1])


def outdated(loaded: dict[str, tuple[int, int]]) -> int:
    """How many of the `loaded` bench products (existing_products) differ from
    what this code loads (an older data set: variants or images missing), so
    the caller loads afresh instead of mixing two data sets."""
    return sum(
        1
        for sku, shape in loaded.items()
        if shape != expected_shape(int(sku.removeprefix("BENCH-")))
    )


def sample_ids(client: Client, staff: str, *, wanted: int) -> list[str]:
    """Up to `wanted` in-stock product ids, once the catalog's read model
    caught up with the stock events (bounded wait)."""
    deadline = time.monotonic() + 120
    while True:
        ids = []
        for page in range(1, wanted // 100 + 2):
            status, body, _ = client.request(
                "GET",
                f"/api/v1/catalog/products/?page_size=100&page={page}&in_stock=true"
                "&search=BENCH-",  # not the one-unit race products of earlier runs
                token=staff,
            )
            if status != 200:
                break
            # Bench products only: a race product of an earlier run matches the
            # words too (its name), and has no stock to sell.
            ids.extend(
                item["id"]
                for item in body["results"]
                if item["sku"].startswith("BENCH-")
            )
            if not body.get("next"):
                break
        if len(ids) >= wanted or time.monotonic() > deadline:
            return ids[:wanted]
        time.sleep(1)


def analyze(env: dict) -> None:
    """Fresh planner statistics after a bulk load, as a production load would."""
    code = (
        "from django.db import connections\n"
        "for alias in connections:\n"
        "    with connections[alias].cursor() as cursor:\n"
        "        cursor.execute('ANALYZE')"
    )
    manage(env, "shell", "-c", code)


def bulk_load(env: dict, products: int) -> None:
    """Through the apps' services in LOAD_PROCESSES processes (bench/load_products.py)."""
    loader_env = {**env, "CELERY_BROKER_URL": ""}  # in-process event delivery
    step = -(-products // LOAD_PROCESSES)
    loaders = [
        subprocess.Popen(
            [
                PYTHON,
                "-m",
                "bench.load_products",
                str(first),
                str(min(first + step, products)),
            ],
            cwd=ROOT,
            env=loader_env,
        )
        for first in range(0, products, step)
    ]
    try:
        for loader in loaders:
            if loader.wait(timeout=900) != 0:
                raise RuntimeError(f"bench loader failed with {loader.returncode}")
    finally:
        for loader in loaders:
            if loader.poll() is None:
                loader.kill()
                loader.wait()


def vacuum_analyze(env: dict) -> None:
    """Planner statistics for the loaded rows, as a production server's
    autovacuum keeps them; without them (autovacuum off, as on the test
    server) the planner guesses and search picks seq scans."""
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")


def load(env: dict, *, port: int, products: int, existing: set[str]) -> Fixture:
    """The fixture, `products` bench products loaded beside the `existing`
    SKUs (what the database already holds)."""
    client = Client(port, timeout=30)
    staff = ensure_staff(env, client)
    customers = ensure_customers(client)
    slugs = ensure_categories(client, staff)
    missing = [n for n in range(products) if f"BENCH-{n:05d}" not in existing]
    if missing:
        print(
            f"bench: creating {len(missing)} products with stock (have {len(existing)}),"
            f" {LOAD_PROCESSES} processes, events delivered in-process"
        )
        bulk_load(env, products)
    sample = sample_ids(
        client, staff, wanted=min(500, products)
    )  # before the race products exist
    tag = f"{int(time.time())}"
    race = [
        create_product(
            client, staff, product_payload(n, slugs[0], prefix=f"RACE-{tag}")
        )
        for n in range(RACE_PRODUCTS)
    ]
    reference = [
        create_product(
            client, staff, product_payload(n, slugs[0], prefix=f"RACEREF-{tag}")
        )
        for n in range(RACE_PRODUCTS)
    ]
    for pid in race + reference:
        add_stock(client, staff, pid, 1)
    tokens = [token(client, *credentials) for credentials in customers]
    shipping_method = ensure_shipping_method(client, staff)
    vacuum_analyze(env)
    return Fixture(
        client=client,
        staff_token=staff,
        customers=customers,
        customer_tokens=tokens,
        category_slugs=slugs,
        product_ids=sample,
        product_count=len(existing) + len(missing),
        race_products=race,
        race_reference_products=reference,
        shipping_method_id=shipping_method,
    )
