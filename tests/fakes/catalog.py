"""A fake catalog: the products and categories the test states."""

import uuid
from decimal import Decimal

from apps.catalog.contracts import CategorySummary, ProductSnapshot
from apps.common.errors import ValidationFailed
from tests.fakes.plain import product_uuids


class FakeCatalog:
    app = "catalog"

    def __init__(self):
        self.products: dict[uuid.UUID, ProductSnapshot] = {}
        self.categories: dict[str, CategorySummary] = {}

    def product_add(self, product: ProductSnapshot) -> ProductSnapshot:
        self.products[product.id] = product
        return product

    def product_snapshots(
        self, *, product_ids: list[uuid.UUID | str]
    ) -> dict[uuid.UUID, ProductSnapshot]:
        ids = product_uuids(product_ids)
        return {i: self.products[i] for i in ids if i in self.products}

    def product_snapshots_by_sku(
        self, *, skus: list[str]
    ) -> dict[str, ProductSnapshot]:
        by_sku = {p.sku.lower(): p for p in self.products.values()}
        return {sku: by_sku[sku.lower()] for sku in skus if sku.lower() in by_sku}

    def product_create(
        self,
        *,
        sku: str,
        name: str,
        price: str,
        description: str = "",
        category_slug: str | None = None,
        tax_class: str = "standard",
    ) -> ProductSnapshot:
        if self.product_snapshots_by_sku(skus=[sku]):
            raise ValidationFailed({"sku": ["A product with this sku exists."]})
        if category_slug is not None and category_slug not in self.categories:
            raise ValidationFailed({"category_slug": ["No such category."]})
        return self.product_add(
            ProductSnapshot(
                id=uuid.uuid4(),
                sku=sku,
                name=name,
                unit_price=Decimal(price),
                currency="EUR",
                is_active=True,
                tax_class=tax_class,
            )
        )

    def category_list(self) -> list[CategorySummary]:
        return sorted(self.categories.values(), key=lambda c: c.name)

    def category_create(
        self, *, name: str, slug: str, parent_slug: str | None = None
    ) -> CategorySummary:
        if slug in self.categories:
            raise ValidationFailed({"slug": ["A category with this slug exists."]})
        if parent_slug is not None and parent_slug not in self.categories:
            raise ValidationFailed({"parent_slug": ["No such category."]})
        category = CategorySummary(slug=slug, name=name, parent_slug=parent_slug)
        self.categories[slug] = category
        return category
