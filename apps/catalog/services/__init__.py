"""Catalog writes (private). Every path that changes the catalog - API, admin,
commands, demo data, event handlers - goes through these functions, so each
change is validated the same way and publishes its event in its transaction."""

from apps.catalog.services.availability import product_availability_apply
from apps.catalog.services.categories import (
    category_create,
    category_delete,
    category_update,
)
from apps.catalog.services.common import READS_NAMESPACE, catalog_reads_changed
from apps.catalog.services.products import (
    product_activate,
    product_create,
    product_deactivate,
    product_update,
)
from apps.catalog.services.variants import variant_create, variant_update

__all__ = [
    "READS_NAMESPACE",
    "catalog_reads_changed",
    "category_create",
    "category_delete",
    "category_update",
    "product_activate",
    "product_availability_apply",
    "product_create",
    "product_deactivate",
    "product_update",
    "variant_create",
    "variant_update",
]
