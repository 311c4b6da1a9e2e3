"""The product admin's image inline saves through the image services: the
same content checks, files, positions and event as the API."""

import pytest
from django.test import Client

from apps.catalog.events import ProductChanged
from apps.catalog.models import ProductImage
from apps.common.db import alias_for
from tests.catalog.conftest import catalog_events
from tests.catalog.images import image_bytes, stored_files, upload
from tests.conftest import admin_account

pytestmark = pytest.mark.django_db
CHANGED = ProductChanged.event_type


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(admin_account(email="staff@example.com", is_superuser=False))
    return client


def change_form(product, *, images: list[dict], initial: int = 0) -> dict:
    data = {
        "sku": product.sku,
        "name": product.name,
        "slug": product.slug,
        "price": str(product.price),
        "tax_class": product.tax_class,
        "description": "",
        "is_active": "on",
        "images-TOTAL_FORMS": str(len(images)),
        "images-INITIAL_FORMS": str(initial),
    }
    for n, image in enumerate(images):
        data.update({f"images-{n}-{k}": v for k, v in image.items()})
        data[f"images-{n}-product"] = str(product.pk)
    return data


def url(product) -> str:
    return f"/admin/catalog/product/{product.pk}/change/"


def test_staff_upload_an_image_in_the_admin(admin_client, make_product, media):
    product = make_product()

    response = admin_client.post(
        url(product),
        change_form(
            product,
            images=[{"image": upload(image_bytes("WEBP")), "alt_text": "Side"}],
        ),
    )

    assert response.status_code == 302
    image = ProductImage.objects.get()
    assert (image.product_id, image.alt_text, image.position) == (product.pk, "Side", 0)
    assert image.image.name.endswith(".webp")
    assert (image.width, image.height) == (800, 600)
    assert len(stored_files(media)) == 3
    assert len(catalog_events(CHANGED)) == 1
    page = admin_client.get(url(product)).content.decode()
    assert image.thumbnails["listing"]["name"] in page


def test_a_non_image_is_a_form_error_in_the_admin(admin_client, make_product, media):
    product = make_product()

    response = admin_client.post(
        url(product),
        change_form(product, images=[{"image": upload(b"GIF89a? no", name="x.png")}]),
    )

    assert response.status_code == 200
    assert "Upload a JPEG, PNG or WebP image" in response.content.decode()
    assert ProductImage.objects.count() == 0
    assert stored_files(media) == []


def test_staff_reorder_retitle_and_delete_images_in_the_admin(
    admin_client, make_product, media, django_capture_on_commit_callbacks
):
    product = make_product()
    for alt in ("a", "b", "c"):
        admin_client.post(
            url(product),
            change_form(
                product, images=[{"image": upload(image_bytes()), "alt_text": alt}]
            ),
        )
    a, b, c = ProductImage.objects.order_by("position")
    rows = [
        {"id": a.pk, "alt_text": "a", "position": "0", "DELETE": "on"},
        {"id": b.pk, "alt_text": "b", "position": "1"},
        {"id": c.pk, "alt_text": "c, first", "position": "0"},
    ]

    with django_capture_on_commit_callbacks(using=alias_for("catalog"), execute=True):
        response = admin_client.post(
            url(product), change_form(product, images=rows, initial=3)
        )

    assert response.status_code == 302
    assert [(i.alt_text, i.position) for i in ProductImage.objects.all()] == [
        ("c, first", 0),
        ("b", 1),
    ]
    assert len(stored_files(media)) == 6
    assert len(catalog_events(CHANGED)) == 5
