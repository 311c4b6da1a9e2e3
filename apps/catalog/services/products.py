"""Product writes (private). A product made without variants gets one variant
with the product's own id, SKU and price."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.utils.text import slugify

from apps.catalog import selectors
from apps.catalog.events import ProductChanged, ProductDeactivated
from apps.catalog.models import Category, Product, TaxClass, Variant
from apps.catalog.services.common import (
    PRODUCT_CONSTRAINTS,
    SKU_TAKEN,
    clean_price,
    integrity_as_field_errors,
    locked_product,
    reject_unknown,
)
from apps.catalog.services.variants import (
    VariantSpec,
    check_variant_set,
    product_summarise,
    variant_spec,
    variant_update,
    variants_insert,
)
from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish

PRODUCT_FIELDS = {
    "sku",
    "slug",
    "name",
    "description",
    "price",
    "category",
    "tax_class",
}


def product_create(
    *,
    sku: str,
    name: str,
    price: Decimal | str | int | None = None,
    description: str = "",
    category: Category | None = None,
    slug: str = "",
    is_active: bool = True,
    variants: list[dict] | None = None,
    tax_class: str = TaxClass.STANDARD,
) -> Product:
    """A product with `variants` ({sku, price, options, is_active} each), or
    with one variant made of its own id, `sku` and `price`."""
    product = Product(
        tax_class=tax_class,
        sku=(sku or "").strip(),
        name=(name or "").strip(),
        description=description or "",
        category=category,
        is_active=is_active,
        currency=settings.DEFAULT_CURRENCY,
    )
    if variants:
        if price is not None:
            raise ValidationFailed({"price": ["Give each variant its price instead."]})
        specs = [
            variant_spec(data, prefix=f"variants.{i}.")
            for i, data in enumerate(variants)
        ]
        for i, spec in enumerate(specs):
            check_variant_set(specs[: i + 1], changed=spec, prefix=f"variants.{i}.")
    else:
        if price is None:
            raise ValidationFailed({"price": ["This field is required."]})
        specs = [VariantSpec(id=product.pk, sku=product.sku, price=clean_price(price))]
    prices = [spec.price for spec in specs if spec.is_active] or [
        spec.price for spec in specs
    ]
    product.price, product.price_max = min(prices), max(prices)
    product.slug = slug or _slug_for(product)
    _check_product(product)
    if not variants:
        check_variant_set(specs, changed=specs[0], sku_taken=SKU_TAKEN)
    with integrity_as_field_errors(PRODUCT_CONSTRAINTS), atomic_for(Product):
        product.save(force_insert=True)
        variants_insert(product=product, specs=specs)
        product_summarise(product=product)
    return product


def product_update(*, product_id: uuid.UUID, data: dict) -> Product:
    """Change some of `PRODUCT_FIELDS` and `is_active`. The price (and the SKU)
    of a single-variant product is its variant's; a product with several
    variants has its prices changed per variant. Publishes the deactivation of
    each of its active variants when the product becomes inactive."""
    reject_unknown(data, PRODUCT_FIELDS | {"is_active"})
    with integrity_as_field_errors(PRODUCT_CONSTRAINTS), atomic_for(Product):
        product = locked_product(product_id)
        was_active = product.is_active
        before = {field: getattr(product, field) for field in data}
        for field, value in data.items():
            if field == "price":
                continue
            if field in ("sku", "name") and isinstance(value, str):
                value = value.strip()
            setattr(product, field, value)
        if "slug" in data and not product.slug:
            product.slug = _slug_for(product)
        _check_product(product)
        product.save()
        variants = list(
            Variant.objects.filter(product=product)
            .order_by("created_at", "id")
            .values_list("pk", "is_active")
        )
        mirrored = {}
        if "price" in data:
            if len(variants) != 1:
                raise ValidationFailed(
                    {
                        "price": [
                            f"This product has {len(variants)} variants: change"
                            " their prices."
                        ]
                    }
                )
            mirrored["price"] = data["price"]
        if "sku" in data and len(variants) == 1:
            mirrored["sku"] = product.sku
        if mirrored:
            variant_update(variant_id=variants[0][0], data=mirrored)
        product_summarise(product=product)
        changed = sorted(f for f in data if getattr(product, f) != before[f])
        if changed:
            publish(ProductChanged(product_id=product.pk, fields=tuple(changed)))
        if was_active and not product.is_active:
            for variant_id, variant_active in variants:
                if variant_active:
                    publish(ProductDeactivated(product_id=variant_id))
    return product


def product_deactivate(*, product_id: uuid.UUID) -> Product:
    """Idempotent: deactivating an inactive product changes and publishes nothing."""
    return product_update(product_id=product_id, data={"is_active": False})


def product_activate(*, product_id: uuid.UUID) -> Product:
    return product_update(product_id=product_id, data={"is_active": True})


def _slug_for(product: Product) -> str:
    return slugify(f"{product.name} {product.sku}")[:200]


def _check_product(product: Product) -> None:
    errors = {}
    for field, limit in (("sku", 64), ("name", 200), ("slug", 200)):
        value = getattr(product, field)
        if not value:
            errors[field] = ["This field may not be blank."]
        elif len(value) > limit:
            errors[field] = [f"Ensure this field has no more than {limit} characters."]
    if product.tax_class not in TaxClass.values:
        errors["tax_class"] = [f"Choose one of {', '.join(TaxClass.values)}."]
    if "sku" not in errors and selectors.product_sku_taken(
        sku=product.sku, exclude_id=product.pk
    ):
        errors["sku"] = [SKU_TAKEN]
    if errors:
        raise ValidationFailed(errors)
