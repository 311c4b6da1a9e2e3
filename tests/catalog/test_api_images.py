"""Product images through the staff API: checked by content, stored with their
thumbnails, ordered, shown by the listing and the detail."""

import pytest
from PIL import Image
from rest_framework.parsers import MultiPartParser

from apps.catalog import images
from apps.catalog.events import ProductChanged
from apps.catalog.models import ProductImage
from apps.common.db import alias_for
from tests.catalog.conftest import catalog_events, catalog_queries
from tests.catalog.images import (
    CONTENT_TYPES,
    image_bytes,
    png_declaring,
    stored_files,
    upload,
)

pytestmark = pytest.mark.django_db
PRODUCTS = "/api/v1/catalog/products/"
CHANGED = ProductChanged.event_type


def images_url(product) -> str:
    return f"{PRODUCTS}{product.pk}/images/"


def post_image(client, product, content: bytes, **fields):
    name = fields.pop("name", "photo.jpg")
    content_type = fields.pop("content_type", "image/jpeg")
    data = {"image": upload(content, name=name, content_type=content_type), **fields}
    return client.post(images_url(product), data, format="multipart")


def assert_refused(response, message_part: str, media) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert list(errors) == ["image"]
    assert message_part in errors["image"][0]
    assert stored_files(media) == []
    assert ProductImage.objects.count() == 0
    assert catalog_events(CHANGED) == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_staff_uploads_a_jpeg_png_or_webp_with_thumbnails(
    staff_client, make_product, media, fmt
):
    product = make_product()
    content = image_bytes(fmt, size=(800, 600))

    response = post_image(
        staff_client,
        product,
        content,
        name="anything.bin",
        content_type="application/octet-stream",
        alt_text=" Front view ",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    ext = images.FORMATS[fmt]
    stem = body["url"].rsplit("/", 1)[1].split(".")[0]
    base = f"http://testserver/media/products/{product.pk}/{stem}"
    assert body == {
        "id": body["id"],
        "url": f"{base}.{ext}",
        "alt_text": "Front view",
        "position": 0,
        "width": 800,
        "height": 600,
        "thumbnails": {
            "listing": {"url": f"{base}-listing.{ext}", "width": 200, "height": 150},
            "detail": {"url": f"{base}-detail.{ext}", "width": 600, "height": 450},
        },
    }
    folder = f"products/{product.pk}"
    assert stored_files(media) == sorted(
        [
            f"{folder}/{stem}.{ext}",
            f"{folder}/{stem}-detail.{ext}",
            f"{folder}/{stem}-listing.{ext}",
        ]
    )
    assert (media / folder / f"{stem}.{ext}").read_bytes() == content
    with Image.open(media / folder / f"{stem}-listing.{ext}") as thumbnail:
        assert (thumbnail.format, thumbnail.size) == (fmt, (200, 150))
    assert catalog_events(CHANGED) == [
        {"event_type": CHANGED, "product_id": str(product.pk), "fields": ["images"]}
    ]


def test_the_stored_name_follows_the_content_not_the_declared_type(
    staff_client, make_product, media
):
    product = make_product()

    response = post_image(staff_client, product, image_bytes("PNG"), name="photo.jpg")

    assert response.status_code == 201
    assert response.json()["url"].endswith(".png")


def test_a_non_image_with_an_image_extension_is_refused(
    staff_client, make_product, media
):
    product = make_product()

    response = post_image(
        staff_client, product, b"<?php echo 'not a picture'; ?>" * 10, name="cat.jpg"
    )

    assert_refused(response, "Upload a JPEG, PNG or WebP image", media)


def test_an_image_of_another_format_is_refused(staff_client, make_product, media):
    product = make_product()

    response = post_image(
        staff_client,
        product,
        image_bytes("GIF"),
        name="anim.png",
        content_type="image/png",
    )

    assert_refused(response, "Upload a JPEG, PNG or WebP image", media)


def test_a_truncated_image_is_refused(staff_client, make_product, media):
    product = make_product()
    content = image_bytes("JPEG", size=(400, 300))

    response = post_image(staff_client, product, content[: len(content) // 2])

    assert_refused(response, "truncated or corrupt", media)


def test_an_oversized_file_is_refused(staff_client, make_product, media, settings):
    product = make_product()
    content = image_bytes("PNG", size=(300, 300))
    settings.CATALOG_IMAGE_MAX_BYTES = len(content) - 1

    response = post_image(staff_client, product, content)

    assert_refused(response, f"larger than {len(content) - 1} bytes", media)


def test_a_body_far_past_the_limit_is_refused_before_it_is_read(
    staff_client, make_product, media, settings, monkeypatch
):
    product = make_product()
    settings.CATALOG_IMAGE_MAX_BYTES = 1000
    settings.CATALOG_IMAGE_UPLOAD_MAX_BODY = 1000 + 64 * 1024
    parsed = []
    monkeypatch.setattr(
        MultiPartParser, "parse", lambda *a, **k: parsed.append(1) or {}
    )

    response = post_image(staff_client, product, b"x" * (1000 + 64 * 1024 + 1))

    assert response.status_code == 413
    assert response.json()["code"] == "image_upload_too_large"
    assert parsed == []
    assert stored_files(media) == []


def test_too_large_dimensions_are_refused(staff_client, make_product, media, settings):
    product = make_product()
    settings.CATALOG_IMAGE_MAX_SIDE = 100

    response = post_image(staff_client, product, image_bytes("PNG", size=(101, 20)))

    assert_refused(response, "101x20 pixels; at most 100 on each side", media)


BOMB_WARNING = "PIL.Image.DecompressionBombWarning"


@pytest.mark.parametrize(
    "side",
    [
        # Over Pillow's limit, it only warns (and the check refuses); where
        # warnings are errors, the warning itself is refused the same way.
        pytest.param(
            10_000, marks=pytest.mark.filterwarnings(f"ignore::{BOMB_WARNING}")
        ),
        pytest.param(
            10_000,
            marks=pytest.mark.filterwarnings(f"error::{BOMB_WARNING}"),
            id="warning-as-error",
        ),
        20_000,  # over twice Pillow's limit: its DecompressionBombError
    ],
)
def test_a_decompression_bomb_is_refused(staff_client, make_product, media, side):
    product = make_product()
    bomb = png_declaring(side, side)
    assert len(bomb) < 1000

    response = post_image(staff_client, product, bomb, name="small.png")

    assert_refused(response, "decompression bomb", media)


@pytest.mark.filterwarnings(f"ignore::{BOMB_WARNING}")
def test_a_bomb_within_every_limit_but_pillows_is_refused(
    staff_client, make_product, media, settings, monkeypatch
):
    product = make_product()
    settings.CATALOG_IMAGE_MAX_SIDE = 50_000
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)

    response = post_image(staff_client, product, png_declaring(1001, 1000))

    assert_refused(response, "(1001x1000 pixels)", media)


def test_an_unknown_product_is_404_and_nothing_is_stored(staff_client, media):
    response = staff_client.post(
        f"{PRODUCTS}3fa85f64-5717-4562-b3fc-2c963f66afa6/images/",
        {"image": upload(image_bytes())},
        format="multipart",
    )

    assert response.status_code == 404
    assert response.json()["code"] == "product_not_found"
    assert stored_files(media) == []


def test_a_failed_insert_leaves_no_file(staff_client, make_product, media, monkeypatch):
    product = make_product()

    def fail(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(ProductImage, "save", fail)

    with pytest.raises(RuntimeError):
        post_image(staff_client, product, image_bytes())

    assert stored_files(media) == []


def test_images_are_ordered_and_can_be_moved(
    staff_client, api_client, make_product, media
):
    product = make_product()
    ids = [
        post_image(staff_client, product, image_bytes(), alt_text=alt).json()["id"]
        for alt in ("a", "b", "c")
    ]
    first = post_image(staff_client, product, image_bytes(), alt_text="d", position=0)
    assert first.json()["position"] == 0

    moved = staff_client.patch(
        f"{images_url(product)}{ids[2]}/",
        {"position": 1, "alt_text": "c, moved"},
        format="json",
    )

    assert moved.status_code == 200
    assert (moved.json()["position"], moved.json()["alt_text"]) == (1, "c, moved")
    detail = api_client.get(f"{PRODUCTS}{product.pk}/").json()
    assert [(i["alt_text"], i["position"]) for i in detail["images"]] == [
        ("d", 0),
        ("c, moved", 1),
        ("a", 2),
        ("b", 3),
    ]
    assert detail["image"]["alt_text"] == "d"
    assert len(catalog_events(CHANGED)) == 5


def test_a_position_past_the_end_puts_the_image_last(staff_client, make_product, media):
    product = make_product()
    a = post_image(staff_client, product, image_bytes(), alt_text="a").json()
    post_image(staff_client, product, image_bytes(), alt_text="b")

    moved = staff_client.patch(
        f"{images_url(product)}{a['id']}/", {"position": 99}, format="json"
    )

    assert moved.json()["position"] == 1


def test_bad_image_changes_are_field_level_400s(staff_client, make_product, media):
    product = make_product()
    image = post_image(staff_client, product, image_bytes(), alt_text="a").json()
    url = f"{images_url(product)}{image['id']}/"

    negative = staff_client.patch(url, {"position": -1}, format="json")
    too_long = staff_client.patch(url, {"alt_text": "x" * 251}, format="json")

    assert list(negative.json()["errors"]) == ["position"]
    assert list(too_long.json()["errors"]) == ["alt_text"]
    assert ProductImage.objects.get().alt_text == "a"


def test_another_products_image_is_404(staff_client, make_product, media):
    product, other = make_product(), make_product()
    image = post_image(staff_client, product, image_bytes()).json()

    response = staff_client.delete(f"{images_url(other)}{image['id']}/")

    assert response.status_code == 404
    assert response.json()["code"] == "product_image_not_found"
    assert ProductImage.objects.count() == 1


def test_deleting_removes_the_files_and_closes_the_gap(
    staff_client, make_product, media, django_capture_on_commit_callbacks
):
    product = make_product()
    first = post_image(staff_client, product, image_bytes(), alt_text="a").json()
    post_image(staff_client, product, image_bytes(), alt_text="b")
    assert len(stored_files(media)) == 6

    with django_capture_on_commit_callbacks(using=alias_for("catalog"), execute=True):
        response = staff_client.delete(f"{images_url(product)}{first['id']}/")

    assert response.status_code == 204
    remaining = ProductImage.objects.get()
    assert (remaining.alt_text, remaining.position) == ("b", 0)
    assert stored_files(media) == sorted(
        [remaining.image.name, *(t["name"] for t in remaining.thumbnails.values())]
    )
    assert len(catalog_events(CHANGED)) == 3


def test_anonymous_and_customers_cannot_change_images(
    api_client, customer_client, staff_client, make_product, media
):
    product = make_product()
    image = post_image(staff_client, product, image_bytes(), alt_text="a").json()
    before = stored_files(media)
    url = f"{images_url(product)}{image['id']}/"

    for client, status in ((api_client, 401), (customer_client, 403)):
        assert post_image(client, product, image_bytes()).status_code == status
        patched = client.patch(url, {"alt_text": "b"}, format="json")
        assert patched.status_code == status
        assert client.delete(url).status_code == status

    assert stored_files(media) == before
    assert ProductImage.objects.get().alt_text == "a"
    assert len(catalog_events(CHANGED)) == 1


def test_the_listing_shows_each_first_thumbnail_in_one_query(
    staff_client, api_client, make_product, media
):
    with_images = [make_product(sku=f"I-{n}") for n in range(3)]
    make_product(sku="PLAIN")
    for product in with_images:
        post_image(
            staff_client, product, image_bytes("PNG"), alt_text=f"{product.sku} b"
        )
        post_image(
            staff_client,
            product,
            image_bytes("PNG"),
            alt_text=f"{product.sku} a",
            position=0,
        )

    with catalog_queries() as queries:
        response = api_client.get(PRODUCTS, {"page_size": 100})

    assert len(queries) == 1
    shown = {p["sku"]: p["image"] for p in response.json()["results"]}
    assert shown["PLAIN"] is None
    first = ProductImage.objects.get(product=with_images[0], position=0)
    assert shown["I-0"] == {
        "url": f"http://testserver/media/{first.thumbnails['listing']['name']}",
        "width": 200,
        "height": 150,
        "alt_text": "I-0 a",
    }
    assert {image["alt_text"] for image in shown.values() if image} == {
        "I-0 a",
        "I-1 a",
        "I-2 a",
    }


def test_the_detail_reads_its_images_in_one_more_query(
    staff_client, api_client, make_product, media
):
    product = make_product()
    for n in range(5):
        post_image(staff_client, product, image_bytes(), alt_text=str(n))

    with catalog_queries() as queries:
        response = api_client.get(f"{PRODUCTS}{product.pk}/")

    assert len(queries) == 3  # the product, its images, its variants
    assert [i["alt_text"] for i in response.json()["images"]] == list("01234")


def test_thumbnails_are_made_once_at_upload(
    staff_client, api_client, make_product, media, monkeypatch
):
    product = make_product()
    made = []
    real = images.thumbnail_make
    monkeypatch.setattr(
        images,
        "thumbnail_make",
        lambda *a, **k: made.append(k["size"]) or real(*a, **k),
    )

    post_image(staff_client, product, image_bytes())
    files = stored_files(media)
    for _ in range(2):
        api_client.get(PRODUCTS)
        api_client.get(f"{PRODUCTS}{product.pk}/")

    assert made == [200, 600]
    assert stored_files(media) == files


def test_urls_already_absolute_in_the_storage_are_kept(
    staff_client, api_client, make_product, media, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(media),
                "base_url": "https://cdn.example.com/shop/",
            },
        },
    }
    product = make_product()

    created = post_image(staff_client, product, image_bytes()).json()
    listed = api_client.get(PRODUCTS).json()["results"][0]["image"]

    prefix = f"https://cdn.example.com/shop/products/{product.pk}/"
    assert created["url"].startswith(prefix)
    assert created["thumbnails"]["detail"]["url"].startswith(prefix)
    assert listed["url"] == created["thumbnails"]["listing"]["url"]


def test_an_inactive_products_images_are_hidden_with_it(
    staff_client, api_client, make_product, media
):
    product = make_product()
    post_image(staff_client, product, image_bytes())
    staff_client.delete(f"{PRODUCTS}{product.pk}/")

    assert api_client.get(f"{PRODUCTS}{product.pk}/").status_code == 404
    assert len(staff_client.get(f"{PRODUCTS}{product.pk}/").json()["images"]) == 1


@pytest.mark.parametrize("fmt", sorted(CONTENT_TYPES))
def test_a_transparent_or_palette_image_keeps_its_format(
    staff_client, make_product, media, fmt
):
    product = make_product()
    out = __import__("io").BytesIO()
    mode = "P" if fmt == "PNG" else "RGBA" if fmt == "WEBP" else "CMYK"
    Image.new(mode, (400, 400)).save(out, format=fmt)

    response = post_image(staff_client, product, out.getvalue())

    assert response.status_code == 201, response.json()
    assert response.json()["thumbnails"]["listing"]["width"] == 200


def test_image_changes_reach_the_cached_reads(
    staff_client, api_client, make_product, media, deliver_events
):
    product = make_product()
    url = f"{PRODUCTS}{product.pk}/"
    assert api_client.get(url).json()["images"] == []
    assert api_client.get(PRODUCTS).json()["results"][0]["image"] is None

    image = post_image(staff_client, product, image_bytes(), alt_text="new").json()
    stale = api_client.get(url).json()["images"]  # the event is not delivered yet
    deliver_events()
    added = api_client.get(url).json()["images"]
    listed = api_client.get(PRODUCTS).json()["results"][0]["image"]
    staff_client.delete(f"{images_url(product)}{image['id']}/")
    deliver_events()

    assert stale == []
    assert [i["alt_text"] for i in added] == ["new"]
    assert listed["alt_text"] == "new"
    assert api_client.get(url).json()["images"] == []
