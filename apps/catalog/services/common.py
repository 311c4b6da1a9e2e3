"""Checks and error mapping shared by the catalog's services."""

import uuid
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError

from apps.catalog.errors import ProductNotFound
from apps.catalog.models import Product
from apps.common.db import alias_for
from apps.common.errors import ValidationFailed
from apps.common.http_cache import generation_advance_on_commit

SKU_TAKEN = "A product with this SKU already exists."
# The shared cache's namespace of the catalog's anonymous reads (api/cache.py).
READS_NAMESPACE = "catalog"
MAX_PRICE = Decimal("9999999999.99")  # Decimal(12, 2)


@contextmanager
def integrity_as_field_errors(markers: dict[str, tuple[str, str]]):
    """Maps a constraint violation that slipped past the checks (two concurrent
    writes of one SKU or slug) to the same field-level 400 the checks give.
    `markers`: a constraint name fragment -> (field, message)."""
    try:
        yield
    except IntegrityError as exc:
        for marker, (field, message) in markers.items():
            if marker in str(exc):
                raise ValidationFailed({field: [message]}) from exc
        raise


# "sku_ci_unique" names the product's and the variant's constraint alike.
PRODUCT_CONSTRAINTS = {
    "sku_ci_unique": ("sku", SKU_TAKEN),
    "price_gte_0": ("price", "Ensure the price is not negative."),
}


def clean_price(value, *, field: str = "price") -> Decimal:
    if isinstance(value, float):
        value = str(value)
    try:
        price = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed({field: ["A valid number is required."]}) from None
    if not price.is_finite():
        raise ValidationFailed({field: ["A valid number is required."]})
    if price < 0:
        raise ValidationFailed({field: ["Ensure the price is not negative."]})
    if price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
        raise ValidationFailed(
            {field: ["Use at most 10 digits before and 2 after the decimal point."]}
        )
    return price.quantize(Decimal("0.01"))


def reject_unknown(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(
            {field: ["This field cannot be changed."] for field in unknown}
        )


def locked_product(product_id: uuid.UUID) -> Product:
    """The product row, locked: every write to a product or its variants takes
    this lock first, so the summary on the product is written in turn."""
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound(f"No product with id {product_id}.")
    return product


def catalog_reads_changed() -> None:
    """Something the anonymous reads show changed: once the current transaction
    on the catalog's database commits, no cached read from before is served."""
    generation_advance_on_commit(namespace=READS_NAMESPACE, using=alias_for("catalog"))
