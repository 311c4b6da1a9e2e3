"""Product image writes (private): the one path of the API and the admin.

Files are written through the default storage before the row (a refusal or a
failed insert deletes them again) and deleted after the row's deletion
commits, so no row points at a missing file and no refusal leaves a file."""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.catalog import images
from apps.catalog.errors import ProductImageNotFound, ProductNotFound
from apps.catalog.events import ProductChanged
from apps.catalog.models import Product, ProductImage
from apps.common.db import atomic_for, on_commit_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish

logger = logging.getLogger(__name__)
ALT_TEXT_MAX = 250
# What catalog.product.changed.v1 names for an image change (the read cache
# and any reader of the product's images act on it).
IMAGES_CHANGED = ("images",)
IMAGE_FIELDS = {"alt_text", "position"}


def product_image_add(
    *,
    product_id: uuid.UUID,
    upload,
    alt_text: str = "",
    position: int | None = None,
) -> ProductImage:
    """Checks `upload` by its content, stores it and its thumbnails and puts it
    at `position` (default: last). Publishes catalog.product.changed.v1 (images)."""
    alt_text = _clean_alt_text(alt_text)
    if not Product.objects.filter(pk=product_id).exists():
        raise ProductNotFound(f"No product with id {product_id}.")
    picture = images.picture_read(upload)
    image = ProductImage(
        product_id=product_id,
        alt_text=alt_text,
        width=picture.width,
        height=picture.height,
    )
    stem = uuid.uuid4().hex
    stored: list[str] = []
    try:
        image.image.save(f"{stem}.{picture.extension}", upload, save=False)
        stored.append(image.image.name)
        image.thumbnails = _thumbnails_store(
            image,
            picture=picture,
            stem=stem,
            stored=stored,
            sizes=settings.CATALOG_IMAGE_THUMBNAIL_SIZES,
        )
        with atomic_for(Product):
            _lock_product(product_id)
            image.position = ProductImage.objects.filter(product_id=product_id).count()
            image.save(force_insert=True)
            if position is not None:
                _move(image, position=position)
            publish(ProductChanged(product_id=product_id, fields=IMAGES_CHANGED))
    except BaseException:
        _files_delete(stored)
        raise
    return image


def product_image_update(
    *, product_id: uuid.UUID, image_id: int, data: dict
) -> ProductImage:
    """Changes `alt_text` and/or `position` (0 first; the others move up or
    down to make room). Publishes catalog.product.changed.v1 (images)."""
    unknown = sorted(set(data) - IMAGE_FIELDS)
    if unknown:
        raise ValidationFailed({f: ["This field cannot be changed."] for f in unknown})
    alt_text = _clean_alt_text(data["alt_text"]) if "alt_text" in data else None
    with atomic_for(Product):
        _lock_product(product_id)
        image = _image_of(product_id=product_id, image_id=image_id)
        if alt_text is not None and alt_text != image.alt_text:
            image.alt_text = alt_text
            image.save(update_fields=["alt_text"])
        if "position" in data:
            _move(image, position=data["position"])
        publish(ProductChanged(product_id=product_id, fields=IMAGES_CHANGED))
    return image


def product_image_delete(*, product_id: uuid.UUID, image_id: int) -> None:
    """Removes the image; its files go once the deletion commits. Publishes
    catalog.product.changed.v1 (images)."""
    with atomic_for(Product):
        _lock_product(product_id)
        image = _image_of(product_id=product_id, image_id=image_id)
        names = [image.image.name, *(t["name"] for t in image.thumbnails.values())]
        image.delete()
        _renumber(product_id=product_id)
        publish(ProductChanged(product_id=product_id, fields=IMAGES_CHANGED))
        on_commit_for(ProductImage, lambda: _files_delete(names))


def product_image_thumbnails_refresh(*, image_id: int) -> bool:
    """Makes again the thumbnails whose size setting changed since they were
    made (and those missing); the replaced files go once the change commits.
    Returns whether any was made; publishes catalog.product.changed.v1 (images)
    then."""
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None:
        raise ProductImageNotFound(f"No image {image_id}.")
    sizes = {
        label: size
        for label, size in settings.CATALOG_IMAGE_THUMBNAIL_SIZES.items()
        if image.thumbnails.get(label, {}).get("size") != size
    }
    if not sizes:
        return False
    with default_storage.open(image.image.name) as original:
        picture = images.picture_read(original)
    stem = image.image.name.rsplit("/", 1)[1].split(".")[0]
    stored: list[str] = []
    try:
        made = _thumbnails_store(
            image, picture=picture, stem=stem, stored=stored, sizes=sizes
        )
        with atomic_for(Product):
            _lock_product(image.product_id)
            current = _image_of(product_id=image.product_id, image_id=image_id)
            replaced = [
                current.thumbnails[k]["name"] for k in made if k in current.thumbnails
            ]
            current.thumbnails = {**current.thumbnails, **made}
            current.save(update_fields=["thumbnails"])
            publish(ProductChanged(product_id=image.product_id, fields=IMAGES_CHANGED))
            on_commit_for(ProductImage, lambda: _files_delete(replaced))
    except BaseException:
        _files_delete(stored)
        raise
    return True


def _thumbnails_store(
    image: ProductImage,
    *,
    picture: images.Picture,
    stem: str,
    stored: list[str],
    sizes: dict[str, int],
) -> dict:
    folder = image.image.name.rsplit("/", 1)[0]
    thumbnails = {}
    for label, size in sizes.items():
        thumbnail = images.thumbnail_make(picture, size=size)
        name = default_storage.save(
            f"{folder}/{stem}-{label}.{picture.extension}",
            ContentFile(thumbnail.content),
        )
        stored.append(name)
        thumbnails[label] = {
            "name": name,
            "width": thumbnail.width,
            "height": thumbnail.height,
            "size": size,  # the setting it was made for
        }
    return thumbnails


def _files_delete(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # an orphan file is logged, never a failed request
            logger.exception("product image file %s could not be deleted", name)


def _clean_alt_text(value) -> str:
    value = (value or "").strip()
    if len(value) > ALT_TEXT_MAX:
        raise ValidationFailed(
            {
                "alt_text": [
                    f"Ensure this field has no more than {ALT_TEXT_MAX} characters."
                ]
            }
        )
    return value


def _lock_product(product_id: uuid.UUID) -> None:
    """Serialises the image writes of one product (positions stay dense)."""
    locked = Product.objects.select_for_update().filter(pk=product_id)
    if not list(locked.values_list("pk", flat=True)):
        raise ProductNotFound(f"No product with id {product_id}.")


def _image_of(*, product_id: uuid.UUID, image_id: int) -> ProductImage:
    image = ProductImage.objects.filter(product_id=product_id, pk=image_id).first()
    if image is None:
        raise ProductImageNotFound(f"No image {image_id} of product {product_id}.")
    return image


def _move(image: ProductImage, *, position: int) -> None:
    if position < 0:
        raise ValidationFailed({"position": ["Ensure this value is at least 0."]})
    others = [
        i
        for i in ProductImage.objects.filter(product_id=image.product_id)
        if i != image
    ]
    others.insert(min(position, len(others)), image)
    _positions_save(others)


def _renumber(*, product_id: uuid.UUID) -> None:
    _positions_save(list(ProductImage.objects.filter(product_id=product_id)))


def _positions_save(ordered: list[ProductImage]) -> None:
    moved = []
    for index, image in enumerate(ordered):
        if image.position != index:
            image.position = index
            moved.append(image)
    ProductImage.objects.bulk_update(moved, ["position"])
