"""Bulk loading of bench products through the apps' own services.

`python -m bench.load_products FIRST LAST` creates products BENCH-FIRST ..
BENCH-(LAST-1) that do not exist yet, each variant with stock, each product
with its images (bench/data.py says how many of each; the product's own id
stays a sellable id, its first variant). Images are uploaded through the
image service (checked, stored under MEDIA_ROOT, thumbnails made) from a few
small JPEGs drawn once per process. Run without a broker,
so the events are published (outbox rows) and delivered in-process to their
real handlers: the inventory creates each stock item from ProductCreated, the
catalog's in-stock read model follows StockAvailabilityChanged. This skips Celery's
per-message cost, not the event flow.
"""

import io
import os
import sys
import time
from functools import cache

import django
from PIL import Image, ImageDraw

PICTURE_SIDE = 400
PICTURE_COLOURS = [(200, 40, 40), (40, 70, 200), (40, 150, 70), (30, 30, 30)]


@cache
def picture(k: int) -> bytes:
    """A small product shot (JPEG): the same bytes for every k-th upload."""
    colour = PICTURE_COLOURS[k % len(PICTURE_COLOURS)]
    image = Image.new("RGB", (PICTURE_SIDE, PICTURE_SIDE), (235, 235, 235))
    draw = ImageDraw.Draw(image)
    quarter = PICTURE_SIDE // 4
    draw.ellipse([quarter, quarter, 3 * quarter, 3 * quarter], fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def main(first: int, last: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.stack_settings")
    django.setup()
    from django.apps import apps
    from django.core.files.base import ContentFile
    from django.db import connections

    from apps.catalog import image_services
    from apps.catalog import services as catalog
    from apps.inventory import services as inventory
    from bench.data import (
        STOCK_PER_PRODUCT,
        image_count,
        product_payload,
        variant_payloads,
    )

    for alias in connections:
        with connections[
            alias
        ].cursor() as cursor:  # a bulk load needs no fsync per commit
            cursor.execute("SET synchronous_commit TO off")
    category_model = apps.get_model("catalog", "Category")
    categories = list(category_model.objects.filter(slug__startswith="bench-category-"))
    categories = {category.slug: category for category in categories}
    existing = set(
        apps.get_model("catalog", "Product")
        .objects.filter(sku__startswith="BENCH-")
        .values_list("sku", flat=True)
    )
    started, done = time.monotonic(), 0
    for n in range(first, last):
        payload = product_payload(n, f"bench-category-{n % len(categories)}")
        if payload["sku"] in existing:
            continue
        product = catalog.product_create(
            sku=payload["sku"],
            name=payload["name"],
            description=payload["description"],
            price=payload["price"],
            category=categories[payload["category"]],
        )
        sellable_ids = [product.pk]
        variants = variant_payloads(n, payload)
        if variants:
            own, *others = variants
            catalog.variant_update(
                variant_id=product.pk, data={"options": own["options"]}
            )
            sellable_ids += [
                catalog.variant_create(product_id=product.pk, **v).pk for v in others
            ]
        for k in range(image_count(n)):
            image_services.product_image_add(
                product_id=product.pk,
                upload=ContentFile(picture(n + k), name="bench.jpg"),
                alt_text=f"{payload['name']}, view {k + 1}",
            )
        for sellable_id in sellable_ids:
            inventory.stock_adjust(
                product_id=sellable_id,
                delta=STOCK_PER_PRODUCT,
                reason="bench stock",
                actor="system:bench",
            )
        done += 1
        if done % 1000 == 0:
            sys.stdout.write(
                f"  {done} products in {time.monotonic() - started:.0f}s\n"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
