"""The in-stock read model (private): whether inventory has sellable items."""

import uuid

from django.db import IntegrityError
from django.utils import timezone
from tenacity import retry, retry_if_exception_type, stop_after_attempt

from apps.catalog.models import Product, ProductAvailability, Variant, product_in_stock
from apps.catalog.services.common import catalog_reads_changed
from apps.common.db import atomic_for
from apps.common.errors import Conflict


def product_availability_apply(
    *, product_id: uuid.UUID, in_stock: bool, version: int
) -> bool:
    """Record whether a sellable item (`product_id` is the variant's id) is in
    stock if inventory's `version` is newer than what we have; duplicates and
    stale (out-of-order) versions are ignored. Returns whether it was applied.

    The row, once it exists, is only changed by a conditional UPDATE (version
    lower than ours), whose row lock also orders the copies to
    `Variant.in_stock`; the product's lock orders the copies to
    `Product.in_stock` (any active variant in stock). A concurrent first insert is settled by the primary
    key: the loser goes round again and meets the winner's committed row."""
    with atomic_for(Product):
        try:
            applied = _availability_record(
                product_id=product_id, in_stock=in_stock, version=version
            )
        except IntegrityError as exc:
            raise Conflict(f"stock level of {product_id} kept changing; retry") from exc
        if applied:
            _in_stock_copy(variant_id=product_id, in_stock=in_stock)
    return applied


def _in_stock_copy(*, variant_id: uuid.UUID, in_stock: bool) -> None:
    # Read without a lock: only this function changes a variant's flag, and
    # the availability row's lock, held since the UPDATE above, serialises it.
    found = (
        Variant.objects.filter(pk=variant_id)
        .values_list("product_id", "in_stock")
        .first()
    )
    if found is None or found[1] == in_stock:
        return  # not created yet (it picks the level up then), or no flip
    products = Product.objects.filter(pk=found[0])
    products.select_for_update().values_list("pk").get()
    Variant.objects.filter(pk=variant_id).update(in_stock=in_stock)
    products.update(in_stock=product_in_stock())
    catalog_reads_changed()  # an in-stock flip; other levels show nothing


@retry(
    retry=retry_if_exception_type(IntegrityError),
    stop=stop_after_attempt(3),
    reraise=True,
)
def _availability_record(
    *, product_id: uuid.UUID, in_stock: bool, version: int
) -> bool:
    rows = ProductAvailability.objects.filter(pk=product_id)
    if rows.filter(version__lt=version).update(
        in_stock=in_stock, version=version, updated_at=timezone.now()
    ):
        return True
    if rows.filter(version__gte=version).exists():
        return False  # as new or newer already recorded
    with atomic_for(Product):  # a savepoint: a concurrent insert rolls back only it
        ProductAvailability.objects.create(
            product_id=product_id, in_stock=in_stock, version=version
        )
    return True
