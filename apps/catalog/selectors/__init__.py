"""Catalog reads (private)."""

import uuid
from collections.abc import Iterable

from django.db.models import Exists, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower

from apps.catalog.models import Category, Product, ProductImage, Variant, VariantOption

# The columns the listing and the detail render; read with `.values()` so a
# page of products costs one query and no model instantiation.
PRODUCT_FIELDS = (
    "id",
    "sku",
    "slug",
    "name",
    "description",
    "price",
    "price_max",
    "currency",
    "tax_class",
    "is_active",
    "in_stock",
    "created_at",
    "updated_at",
)


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("parent").order_by("name", "pk")


def category_get(*, slug: str) -> Category | None:
    return Category.objects.select_related("parent").filter(slug=slug).first()


def category_tree() -> list[tuple[Category, int]]:
    """Every category with its depth, parents before their children (one query)."""
    categories = list(Category.objects.order_by("name", "pk"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[tuple[Category, int]] = []
    stack = [(c, 0) for c in reversed(children.get(None, []))]
    while stack:
        category, depth = stack.pop()
        ordered.append((category, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(category.pk, [])))
    return ordered


def category_descendant_ids(*, slug: str) -> list[int]:
    """Ids of the category with `slug` and of all categories below it; empty
    when no category has that slug. One query over the (small) category table."""
    rows = list(Category.objects.values_list("pk", "parent_id", "slug"))
    roots = [pk for pk, _parent, s in rows if s == slug]
    children: dict[int, list[int]] = {}
    for pk, parent_id, _slug in rows:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    found: list[int] = []
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk in found:  # a cycle can only come from a bad manual edit
            continue
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def category_would_cycle(*, category_id: int, parent_id: int | None) -> bool:
    """True when making `parent_id` the parent of `category_id` closes a loop."""
    if parent_id is None:
        return False
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    seen = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == category_id:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def product_queryset(*, include_inactive: bool) -> QuerySet[Product]:
    products = Product.objects.all()
    if not include_inactive:
        products = products.filter(is_active=True)
    return products


IMAGE_FIELDS = ("id", "image", "alt_text", "position", "width", "height", "thumbnails")


def product_rows(products: QuerySet[Product]) -> QuerySet:
    """With the category's slug (`category_slug`) and the first image's
    thumbnails and alt text (`image_thumbnails`, `image_alt_text`; None
    without images) read by subqueries of the same statement: a page stays
    one query whatever its size, and PostgreSQL runs them for the page's rows
    only, after a search has ranked and sorted every match (a join ran for
    each of them)."""
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by(
        "position", "id"
    )[:1]
    return products.annotate(
        category_slug=Subquery(
            Category.objects.filter(pk=OuterRef("category_id"))
            .order_by()
            .values("slug")
        ),
        image_thumbnails=Subquery(
            first_image.values("thumbnails"), output_field=JSONField()
        ),
        image_alt_text=Subquery(first_image.values("alt_text")),
    ).values(*PRODUCT_FIELDS, "category_slug", "image_thumbnails", "image_alt_text")


def product_get_row(*, product_id: uuid.UUID, include_inactive: bool) -> dict | None:
    return (
        product_rows(product_queryset(include_inactive=include_inactive))
        .filter(pk=product_id)
        .first()
    )


def product_image_rows(*, product_id: uuid.UUID) -> list[dict]:
    """The product's images in display order (one query)."""
    images = ProductImage.objects.filter(product_id=product_id).order_by(
        "position", "id"
    )
    return list(images.values(*IMAGE_FIELDS))


def product_image_ids() -> list[int]:
    return list(ProductImage.objects.order_by("pk").values_list("pk", flat=True))


def product_image_row(*, image_id: int) -> dict | None:
    return ProductImage.objects.filter(pk=image_id).values(*IMAGE_FIELDS).first()


def product_get_by_sku(*, sku: str) -> Product | None:
    return Product.objects.filter(sku__iexact=sku.strip()).first()


def product_sku_taken(*, sku: str, exclude_id: uuid.UUID | None = None) -> bool:
    products = Product.objects.filter(sku__iexact=sku)
    if exclude_id is not None:
        products = products.exclude(pk=exclude_id)
    return products.exists()


# A sellable item is a variant: its snapshot joins the product once.
SNAPSHOT_FIELDS = (
    "id",
    "sku",
    "price",
    "options_label",
    "is_active",
    "product__name",
    "product__currency",
    "product__tax_class",
    "product__is_active",
)


def sellable_name(product_name: str, label: str) -> str:
    """The name orders and inventory show: "T-shirt (M / Red)"."""
    return f"{product_name} ({label})" if label else product_name


def _snapshot_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "sku": row["sku"],
        "name": sellable_name(row["product__name"], row["options_label"]),
        "price": row["price"],
        "currency": row["product__currency"],
        "tax_class": row["product__tax_class"],
        "is_active": row["is_active"] and row["product__is_active"],
    }


def product_snapshot_rows(product_ids: Iterable[uuid.UUID]) -> list[dict]:
    """Rows of the variants with these ids (the sellable ids)."""
    rows = Variant.objects.filter(pk__in=product_ids).values(*SNAPSHOT_FIELDS)
    return [_snapshot_row(row) for row in rows]


def product_snapshot_rows_by_sku(skus_lower: Iterable[str]) -> list[dict]:
    """Through the case-insensitive unique index on the variant's sku."""
    rows = Variant.objects.annotate(sku_lower=Lower("sku"))
    rows = rows.filter(sku_lower__in=list(skus_lower)).values(*SNAPSHOT_FIELDS)
    return [_snapshot_row(row) for row in rows]


def product_variants(*, product_id: uuid.UUID, include_inactive: bool) -> list[dict]:
    """The variants of a product, oldest first, each with its option values:
    one query (a row per variant and option value)."""
    variants = Variant.objects.filter(product_id=product_id)
    if not include_inactive:
        variants = variants.filter(is_active=True)
    rows = variants.order_by("created_at", "id", "option_values__name").values_list(
        "id",
        "sku",
        "price",
        "is_active",
        "in_stock",
        "option_values__name",
        "option_values__value",
    )
    found: dict[uuid.UUID, dict] = {}
    for pk, sku, price, is_active, in_stock, name, value in rows:
        variant = found.setdefault(
            pk,
            {
                "id": pk,
                "sku": sku,
                "price": price,
                "options": {},
                "is_active": is_active,
                "in_stock": in_stock,
            },
        )
        if name is not None:
            variant["options"][name] = value
    return list(found.values())


def product_with_options(
    products: QuerySet[Product], *, options: list[tuple[str, str]]
) -> QuerySet[Product]:
    """Products with an active variant that has every (name, value), in any case."""
    variants = Variant.objects.filter(product_id=OuterRef("pk"), is_active=True)
    for name, value in options:
        variants = variants.filter(
            Exists(
                VariantOption.objects.filter(
                    variant_id=OuterRef("pk"), name__iexact=name, value__iexact=value
                )
            )
        )
    return products.filter(Exists(variants))
