import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import Product
from tests.catalog.conftest import catalog_events

pytestmark = pytest.mark.django_db


def test_update_product_reprices_and_deactivates_through_the_service(make_product):
    product = make_product(sku="CMD-1", price="5.00")
    out = io.StringIO()

    call_command(
        "update_product", "cmd-1", "--price", "7.25", "--deactivate", stdout=out
    )

    product.refresh_from_db()
    assert (product.price, product.is_active) == (Decimal("7.25"), False)
    assert out.getvalue() == "CMD-1: 7.25 EUR, inactive\n"
    assert [e["event_type"] for e in catalog_events()] == [
        "catalog.product.created.v1",
        "catalog.product.price_changed.v1",
        "catalog.product.deactivated.v1",
    ]


def test_update_product_refuses_a_bad_price_and_changes_nothing(make_product):
    product = make_product(sku="CMD-2", price="5.00")

    with pytest.raises(CommandError, match="Ensure the price is not negative"):
        call_command("update_product", "CMD-2", "--price", "-1")
    with pytest.raises(CommandError, match="no product with SKU 'NOPE'"):
        call_command("update_product", "NOPE", "--price", "1")

    assert Product.objects.get(pk=product.pk).price == Decimal("5.00")
    assert len(catalog_events()) == 1


def test_catalog_thumbnails_remakes_only_the_sizes_that_changed(
    make_product, media, settings, django_capture_on_commit_callbacks
):
    from apps.catalog import image_services
    from apps.catalog.models import ProductImage
    from apps.common.db import alias_for
    from tests.catalog.images import image_bytes, stored_files, upload

    product = make_product()
    image = image_services.product_image_add(
        product_id=product.pk, upload=upload(image_bytes(size=(800, 600)))
    )
    old = image.thumbnails
    settings.CATALOG_IMAGE_THUMBNAIL_SIZES = {"listing": 100, "detail": 600}
    out = io.StringIO()

    with django_capture_on_commit_callbacks(using=alias_for("catalog"), execute=True):
        call_command("catalog_thumbnails", stdout=out)
    again = io.StringIO()
    call_command("catalog_thumbnails", stdout=again)

    assert out.getvalue() == "1 images: 1 with new thumbnails, 0 failed\n"
    assert again.getvalue() == "1 images: 0 with new thumbnails, 0 failed\n"
    thumbnails = ProductImage.objects.get().thumbnails
    assert thumbnails["detail"] == old["detail"]
    listing = thumbnails["listing"]
    assert (listing["width"], listing["height"], listing["size"]) == (100, 75, 100)
    assert listing["name"] != old["listing"]["name"]
    assert stored_files(media) == sorted(
        [image.image.name, old["detail"]["name"], listing["name"]]
    )
    changes = catalog_events("catalog.product.changed.v1")
    assert [c["fields"] for c in changes] == [["images"], ["images"]]
