"""Variant writes (private) and the summary of its variants a product keeps."""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, router
from django.db.models.functions import Lower

from apps.catalog.errors import VariantNotFound
from apps.catalog.events import (
    ProductChanged,
    ProductCreated,
    ProductDeactivated,
    ProductPriceChanged,
)
from apps.catalog.models import (
    Product,
    SearchWord,
    Variant,
    VariantOption,
    product_in_stock,
    product_search_vector,
    product_search_words,
)
from apps.catalog.selectors import sellable_name
from apps.catalog.services.common import (
    PRODUCT_CONSTRAINTS,
    clean_price,
    integrity_as_field_errors,
    locked_product,
    reject_unknown,
)
from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish

VARIANT_FIELDS = {"sku", "price", "options", "is_active"}
VARIANT_SKU_TAKEN = "A variant with this SKU already exists."
OPTION_MAX_LENGTH = 60


@dataclass
class VariantSpec:
    """A variant as checked before it is written."""

    sku: str
    price: Decimal
    options: dict[str, str] = field(default_factory=dict)
    is_active: bool = True
    id: uuid.UUID | None = None

    @property
    def label(self) -> str:
        return " / ".join(self.options.values())


def variant_spec(data: dict, *, prefix: str = "") -> VariantSpec:
    """A VariantSpec from API-like data; errors name `prefix` + the field."""
    reject_unknown(data, VARIANT_FIELDS)
    sku = str(data.get("sku") or "").strip()
    if not sku:
        raise ValidationFailed({f"{prefix}sku": ["This field may not be blank."]})
    if len(sku) > 64:
        raise ValidationFailed(
            {f"{prefix}sku": ["Ensure this field has no more than 64 characters."]}
        )
    if data.get("price") is None:
        raise ValidationFailed({f"{prefix}price": ["This field is required."]})
    return VariantSpec(
        sku=sku,
        price=clean_price(data["price"], field=f"{prefix}price"),
        options=clean_options(data.get("options"), field=f"{prefix}options"),
        is_active=bool(data.get("is_active", True)),
    )


def clean_options(value, *, field: str = "options") -> dict[str, str]:
    """`{"size": "M"}` with names and values stripped, ordered by name."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed({field: ["Give the options as {name: value}."]})
    cleaned: dict[str, str] = {}
    for name, option_value in value.items():
        if not isinstance(name, str) or not isinstance(option_value, str):
            raise ValidationFailed({field: ["Option names and values are strings."]})
        name, option_value = name.strip(), option_value.strip()
        if not (0 < len(name) <= OPTION_MAX_LENGTH) or not (
            0 < len(option_value) <= OPTION_MAX_LENGTH
        ):
            raise ValidationFailed(
                {field: ["Option names and values have 1 to 60 characters."]}
            )
        if name.lower() in {known.lower() for known in cleaned}:
            raise ValidationFailed({field: [f"Option {name!r} is given twice."]})
        cleaned[name] = option_value
    return dict(sorted(cleaned.items(), key=lambda item: item[0].lower()))


def check_variant_set(
    specs: list[VariantSpec],
    *,
    changed: VariantSpec,
    prefix: str = "",
    sku_taken: str = VARIANT_SKU_TAKEN,
) -> None:
    """The variants of one product, `changed` among them: the same option
    names, distinct option values and SKUs, no SKU of another product's."""
    names = {name.lower() for name in changed.options}
    others = [spec for spec in specs if spec is not changed]
    if any({name.lower() for name in spec.options} != names for spec in others):
        raise ValidationFailed(
            {f"{prefix}options": ["Every variant of a product has the same options."]}
        )
    values = {name.lower(): v.lower() for name, v in changed.options.items()}
    if any(
        {name.lower(): v.lower() for name, v in spec.options.items()} == values
        for spec in others
    ):
        raise ValidationFailed(
            {f"{prefix}options": ["Another variant has these option values."]}
        )
    if any(spec.sku.lower() == changed.sku.lower() for spec in others):
        raise ValidationFailed({f"{prefix}sku": [sku_taken]})
    taken = Variant.objects.annotate(sku_lower=Lower("sku")).filter(
        sku_lower=changed.sku.lower()
    )
    own_ids = [spec.id for spec in specs if spec.id is not None]
    if taken.exclude(pk__in=own_ids).exists():
        raise ValidationFailed({f"{prefix}sku": [sku_taken]})


def variants_insert(*, product: Product, specs: list[VariantSpec]) -> list[Variant]:
    """Writes new variants and their options, each publishing
    catalog.product.created.v1 (inventory makes its stock item from it).
    Call inside the product's transaction, then `product_summarise`."""
    variants = [
        Variant(
            id=spec.id or uuid.uuid4(),
            product=product,
            sku=spec.sku,
            price=spec.price,
            options_label=spec.label,
            is_active=spec.is_active,
        )
        for spec in specs
    ]
    Variant.objects.bulk_create(variants)
    VariantOption.objects.bulk_create(
        VariantOption(variant=variant, name=name, value=value)
        for variant, spec in zip(variants, specs, strict=True)
        for name, value in spec.options.items()
    )
    for variant in variants:
        publish_created(product=product, variant=variant)
    return variants


def publish_created(*, product: Product, variant: Variant) -> None:
    publish(
        ProductCreated(
            product_id=variant.pk,
            sku=variant.sku,
            name=sellable_name(product.name, variant.options_label),
            price=variant.price,
            currency=product.currency,
        )
    )


def product_summarise(*, product: Product) -> None:
    """Writes the price range, in-stock flag, SKUs (and on PostgreSQL the search
    vector) of `product` from its variants; call with the product locked."""
    rows = list(
        Variant.objects.filter(product=product)
        .order_by("created_at", "id")
        .values_list("sku", "price", "is_active")
    )
    prices = [price for _sku, price, active in rows if active] or [
        price for _sku, price, _active in rows
    ]
    product.price, product.price_max = min(prices), max(prices)
    product.variant_skus = " ".join(sku for sku, _price, _active in rows)
    products = Product.objects.filter(pk=product.pk)
    products.update(
        price=product.price,
        price_max=product.price_max,
        variant_skus=product.variant_skus,
        in_stock=product_in_stock(),
    )
    if connections[router.db_for_write(Product)].vendor == "postgresql":
        products.update(search_vector=product_search_vector())
        _remember_search_words(products)
    product.in_stock = products.values_list("in_stock", flat=True).get()


def _remember_search_words(products) -> None:
    """Adds the products' words to the lexicon typos are corrected by."""
    words = {
        word
        for found in products.annotate(words=product_search_words()).values_list(
            "words", flat=True
        )
        for word in found
        if len(word) <= SearchWord.MAX_LENGTH
    }
    SearchWord.objects.bulk_create(
        [SearchWord(word=word) for word in sorted(words)], ignore_conflicts=True
    )


def _specs_of(product: Product) -> list[VariantSpec]:
    variants = Variant.objects.filter(product=product).prefetch_related("option_values")
    return [
        VariantSpec(
            id=v.pk,
            sku=v.sku,
            price=v.price,
            is_active=v.is_active,
            options={o.name: o.value for o in v.option_values.all()},
        )
        for v in variants.order_by("created_at", "id")
    ]


def variant_create(
    *,
    product_id: uuid.UUID,
    sku: str,
    price: Decimal | str | int,
    options: dict[str, str] | None = None,
    is_active: bool = True,
) -> Variant:
    """A new variant of an existing product, with the product's option names."""
    spec = variant_spec(
        {"sku": sku, "price": price, "options": options, "is_active": is_active}
    )
    with integrity_as_field_errors(PRODUCT_CONSTRAINTS), atomic_for(Product):
        product = locked_product(product_id)
        check_variant_set([*_specs_of(product), spec], changed=spec)
        (variant,) = variants_insert(product=product, specs=[spec])
        product_summarise(product=product)
        publish(ProductChanged(product_id=product.pk, fields=("variants",)))
    return variant


def variant_update(*, variant_id: uuid.UUID, data: dict) -> Variant:
    """Change some of `VARIANT_FIELDS`; publishes a price change and a
    deactivation (of this sellable id) when they happen."""
    reject_unknown(data, VARIANT_FIELDS)
    with integrity_as_field_errors(PRODUCT_CONSTRAINTS), atomic_for(Product):
        product_id = (
            Variant.objects.filter(pk=variant_id)
            .values_list("product_id", flat=True)
            .first()
        )
        if product_id is None:
            raise VariantNotFound(f"No variant with id {variant_id}.")
        product = locked_product(product_id)
        specs = _specs_of(product)
        spec = next(s for s in specs if s.id == variant_id)
        old_price, was_active = spec.price, spec.is_active
        merged = variant_spec(
            {
                "sku": data.get("sku", spec.sku),
                "price": data.get("price", spec.price),
                "options": data.get("options", spec.options),
                "is_active": data.get("is_active", spec.is_active),
            }
        )
        merged.id = spec.id
        specs[specs.index(spec)] = merged
        check_variant_set(specs, changed=merged)
        variant = Variant.objects.get(pk=variant_id)
        variant.sku, variant.price = merged.sku, merged.price
        variant.is_active, variant.options_label = merged.is_active, merged.label
        variant.save()
        if merged.options != spec.options:
            variant.option_values.all().delete()
            VariantOption.objects.bulk_create(
                VariantOption(variant=variant, name=name, value=value)
                for name, value in merged.options.items()
            )
        _publish_changes(product, variant, old_price=old_price, was_active=was_active)
        product_summarise(product=product)
        if merged != spec:
            publish(ProductChanged(product_id=product.pk, fields=("variants",)))
    return variant


def _publish_changes(
    product: Product, variant: Variant, *, old_price: Decimal, was_active: bool
) -> None:
    if variant.price != old_price:
        publish(
            ProductPriceChanged(
                product_id=variant.pk,
                old_price=old_price,
                new_price=variant.price,
                currency=product.currency,
            )
        )
    if was_active and not variant.is_active and product.is_active:
        publish(ProductDeactivated(product_id=variant.pk))
