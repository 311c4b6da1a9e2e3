"""Catalog reads (private)."""

import uuid
from collections.abc import Iterable

from django.db.models import JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower

from apps.catalog.models import Category, Product, ProductImage

# The columns the listing and the detail render; read with `.values()` so a
# page of products costs one query and no model instantiation.
PRODUCT_FIELDS = (
    "id",
    "sku",
    "slug",
    "name",
    "description",
    "price",
    "currency",
    "tax_class",
    "is_active",
    "in_stock",
    "category__slug",
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
    """With the first image's thumbnails and alt text (`image_thumbnails`,
    `image_alt_text`; None without images) read by subqueries of the same
    statement: a page stays one query whatever its size."""
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by(
        "position", "id"
    )[:1]
    return products.annotate(
        image_thumbnails=Subquery(
            first_image.values("thumbnails"), output_field=JSONField()
        ),
        image_alt_text=Subquery(first_image.values("alt_text")),
    ).values(*PRODUCT_FIELDS, "image_thumbnails", "image_alt_text")


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


SNAPSHOT_FIELDS = (
    "id",
    "sku",
    "name",
    "price",
    "currency",
    "tax_class",
    "is_active",
)


def product_snapshot_rows(product_ids: Iterable[uuid.UUID]) -> list[dict]:
    return list(Product.objects.filter(pk__in=product_ids).values(*SNAPSHOT_FIELDS))


def product_snapshot_rows_by_sku(skus_lower: Iterable[str]) -> list[dict]:
    """Through the case-insensitive unique index on the sku."""
    rows = Product.objects.annotate(sku_lower=Lower("sku"))
    return list(rows.filter(sku_lower__in=list(skus_lower)).values(*SNAPSHOT_FIELDS))
