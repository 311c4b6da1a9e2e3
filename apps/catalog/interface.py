"""Public functions other apps may call: plain data in, contracts out."""

import uuid

from apps.catalog import selectors
from apps.catalog.contracts import ProductSnapshot


def product_snapshots(
    *, product_ids: list[uuid.UUID | str]
) -> dict[uuid.UUID, ProductSnapshot]:
    """Snapshots of the products that exist among `product_ids` (active or not),
    keyed by id; unknown ids are simply absent. One query."""
    ids = {_as_uuid(value) for value in product_ids} - {None}
    if not ids:
        return {}
    return {row["id"]: _snapshot(row) for row in selectors.product_snapshot_rows(ids)}


def active_products(*, limit: int) -> list[ProductSnapshot]:
    """Up to `limit` active products, by name (demo data, tools). One query."""
    return [_snapshot(row) for row in selectors.product_snapshot_rows_active(limit)]


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None  # a malformed id names no product


def _snapshot(row: dict) -> ProductSnapshot:
    return ProductSnapshot(
        id=row["id"],
        sku=row["sku"],
        name=row["name"],
        unit_price=row["price"],
        currency=row["currency"],
        is_active=row["is_active"],
    )
