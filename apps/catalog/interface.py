"""Public functions other apps may call: plain data in, contracts out. They run
where this app is hosted (apps.common.remote), so this module imports only
contracts and the kernel; private modules are imported inside each body."""

import uuid

from apps.catalog.contracts import CategorySummary, ProductSnapshot
from apps.common.errors import ValidationFailed
from apps.common.remote import interface_function


@interface_function(idempotent=True)
def product_snapshots(
    *, product_ids: list[uuid.UUID | str]
) -> dict[uuid.UUID, ProductSnapshot]:
    """Snapshots of the sellable items (variants) that exist among
    `product_ids` (active or not), keyed by id; unknown ids are absent, an id
    that is not a UUID is refused (ValidationFailed). A product made without
    variants is sold under its own id. One query."""
    from apps.catalog import selectors

    try:
        ids = {uuid.UUID(str(value)) for value in product_ids}
    except ValueError:
        raise ValidationFailed({"product_ids": ["Each id must be a UUID."]}) from None
    if not ids:
        return {}
    return {row["id"]: _snapshot(row) for row in selectors.product_snapshot_rows(ids)}


@interface_function(idempotent=True)
def product_snapshots_by_sku(*, skus: list[str]) -> dict[str, ProductSnapshot]:
    """Snapshots of the sellable items (variants) that exist among `skus`
    (matched in any case), keyed by the sku as asked; unknown skus are simply
    absent. One query."""
    from apps.catalog import selectors

    asked = {sku.strip().lower(): sku for sku in skus}
    rows = selectors.product_snapshot_rows_by_sku(asked)
    return {asked[row["sku"].lower()]: _snapshot(row) for row in rows}


@interface_function(idempotent=False)
def product_create(
    *,
    sku: str,
    name: str,
    price: str,
    description: str = "",
    category_slug: str | None = None,
    tax_class: str = "standard",
) -> ProductSnapshot:
    """A new active single-variant product, sold under the product's id
    (publishes catalog.product.created.v1); raises ValidationFailed (a taken
    sku, a bad price, an unknown category or tax class)."""
    from apps.catalog import services

    product = services.product_create(
        sku=sku,
        name=name,
        price=price,
        description=description,
        category=_category(slug=category_slug),
        tax_class=tax_class,
    )
    return product_snapshots(product_ids=[product.pk])[product.pk]


@interface_function(idempotent=True)
def category_list() -> list[CategorySummary]:
    """Every category, by name. One query."""
    from apps.catalog import selectors

    return [_category_summary(category) for category in selectors.category_list()]


@interface_function(idempotent=False)
def category_create(
    *, name: str, slug: str, parent_slug: str | None = None
) -> CategorySummary:
    """A new category below `parent_slug` (or at the top); raises
    ValidationFailed (a taken slug, an unknown parent)."""
    from apps.catalog import services

    parent = _category(slug=parent_slug, field="parent_slug")
    category = services.category_create(name=name, slug=slug, parent=parent)
    return _category_summary(category)


def _category(*, slug: str | None, field: str = "category_slug"):
    from apps.catalog import selectors

    if slug is None:
        return None
    category = selectors.category_get(slug=slug)
    if category is None:
        raise ValidationFailed({field: [f"No category with slug {slug!r}."]})
    return category


def _category_summary(category) -> CategorySummary:
    return CategorySummary(
        slug=category.slug,
        name=category.name,
        parent_slug=category.parent.slug if category.parent else None,
    )


def _snapshot(row: dict) -> ProductSnapshot:
    return ProductSnapshot(
        id=row["id"],
        sku=row["sku"],
        name=row["name"],
        unit_price=row["price"],
        currency=row["currency"],
        is_active=row["is_active"],
        tax_class=row["tax_class"],
    )
