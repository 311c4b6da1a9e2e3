"""The bare references of `make bench` answer what their API endpoints answer
(same rows, page, fields and links), so a ratio compares equal work."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.catalog import image_services, services

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.stack_urls")]
API = "/api/v1/catalog/products/"
REF = "/bench/products/"
DATETIMES = ("created_at", "updated_at")


def comparable(body: dict) -> dict:
    """The datetimes to the second: the encoders differ below it."""
    for row in body.get("results", [body]):
        for field in DATETIMES:
            row[field] = row[field][:19]
    for link in ("next", "previous"):
        if body.get(link):
            body[link] = body[link].split("?", 1)[1]
    return body


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (300, 200)).save(out, format="PNG")
    return SimpleUploadedFile("p.png", out.getvalue())


@pytest.fixture
def catalog(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": "/media/"},
        },
    }
    top = services.category_create(name="Top")
    below = services.category_create(name="Below", parent=top)
    other = services.category_create(name="Other")
    products = []
    for n in range(9):
        category = (top, below, other)[n % 3]
        product = services.product_create(
            sku=f"REF-{n}", name=f"Ref {n}", price=f"{n + 1}.50", category=category
        )
        products.append(product)
    for alt_text in ("second", "first"):  # the first image is shown in the listing
        image_services.product_image_add(
            product_id=products[0].pk, upload=_png(), alt_text=alt_text, position=0
        )
    services.product_deactivate(product_id=products[4].pk)
    for product in products[:6]:
        services.product_availability_apply(
            product_id=product.pk, in_stock=True, version=1
        )
    return products


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page=2&page_size=3",
        "?category=top&in_stock=true&min_price=2&max_price=8&ordering=price",
        "?category=top&in_stock=true&ordering=-price&page=2&page_size=2",
        "?in_stock=false&ordering=name",
    ],
)
def test_the_listing_reference_answers_what_the_api_answers(api_client, catalog, query):
    api = api_client.get(f"{API}{query}")
    ref = api_client.get(f"{REF}{query}")

    assert (api.status_code, ref.status_code) == (200, 200)
    assert comparable(ref.json()) == comparable(api.json())
    assert len(api.json()["results"]) > 0


def test_the_detail_reference_answers_what_the_api_answers(api_client, catalog):
    for product, status in ((catalog[0], 200), (catalog[4], 404)):
        api = api_client.get(f"{API}{product.pk}/")
        ref = api_client.get(f"{REF}{product.pk}/")

        assert (api.status_code, ref.status_code) == (status, status)
        if status == 200:
            assert comparable(ref.json()) == comparable(api.json())
