"""Change a product's price or active flag from the shell, through the same
service as the API and the admin (so the events are published)."""

from django.core.management.base import BaseCommand, CommandError

from apps.catalog import selectors, services
from apps.common.errors import ApplicationError


class Command(BaseCommand):
    help = "Set a product's price and/or activate or deactivate it, by SKU."

    def add_arguments(self, parser):
        parser.add_argument("sku")
        parser.add_argument("--price", help="new price, e.g. 19.90")
        active = parser.add_mutually_exclusive_group()
        active.add_argument("--activate", action="store_true")
        active.add_argument("--deactivate", action="store_true")

    def handle(self, *args, sku, price, activate, deactivate, **options):
        product = selectors.product_get_by_sku(sku=sku)
        if product is None:
            raise CommandError(f"no product with SKU {sku!r}")
        data = {}
        if price is not None:
            data["price"] = price
        if activate or deactivate:
            data["is_active"] = activate
        if not data:
            raise CommandError(
                "nothing to change: give --price, --activate or --deactivate"
            )
        try:
            product = services.product_update(product_id=product.pk, data=data)
        except ApplicationError as exc:
            raise CommandError(
                f"{exc.detail} {exc.extra.get('errors', '')}".strip()
            ) from exc
        state = "active" if product.is_active else "inactive"
        self.stdout.write(f"{product.sku}: {product.price} {product.currency}, {state}")
