"""Make the product image thumbnails again after a size setting changed
(CATALOG_IMAGE_LISTING_SIZE, CATALOG_IMAGE_DETAIL_SIZE); thumbnails already of
the configured sizes are left alone, so a second run makes nothing."""

from django.core.management.base import BaseCommand, CommandError

from apps.catalog import image_services, selectors
from apps.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Make the thumbnails of every product image whose size setting changed."

    def handle(self, *args, **options):
        refreshed = failed = 0
        image_ids = selectors.product_image_ids()
        for image_id in image_ids:
            try:
                refreshed += image_services.product_image_thumbnails_refresh(
                    image_id=image_id
                )
            except ApplicationError as exc:  # deleted meanwhile, or now refused
                failed += 1
                self.stderr.write(f"image {image_id}: {exc.detail} {exc.extra}")
        self.stdout.write(
            f"{len(image_ids)} images: {refreshed} with new thumbnails, {failed} failed"
        )
        if failed:
            raise CommandError(f"{failed} image(s) kept their old thumbnails")
