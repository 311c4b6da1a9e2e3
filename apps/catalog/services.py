"""Catalog writes (private). Every path that changes the catalog - API, admin,
commands, demo data, event handlers - goes through these functions, so each
change is validated the same way and publishes its event in its transaction."""

import uuid
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.text import slugify
from tenacity import retry, retry_if_exception_type, stop_after_attempt

from apps.catalog import selectors
from apps.catalog.errors import CategoryInUse, ProductNotFound
from apps.catalog.events import (
    CategoryChanged,
    ProductChanged,
    ProductCreated,
    ProductDeactivated,
    ProductPriceChanged,
)
from apps.catalog.models import Category, Product, ProductAvailability
from apps.common.db import alias_for, atomic_for
from apps.common.errors import Conflict, ValidationFailed
from apps.common.http_cache import generation_advance_on_commit
from apps.eventbus.api import publish

SKU_TAKEN = "A product with this SKU already exists."
MAX_PRICE = Decimal("9999999999.99")  # Decimal(12, 2)
PRODUCT_FIELDS = {"sku", "slug", "name", "description", "price", "category"}
CATEGORY_FIELDS = {"name", "slug", "parent"}
# The shared cache's namespace of the catalog's anonymous reads (api/cache.py).
READS_NAMESPACE = "catalog"


# --- the cached reads ----------------------------------------------------------


def catalog_reads_changed() -> None:
    """Something the anonymous reads show changed: once the current transaction
    on the catalog's database commits, no cached read from before is served."""
    generation_advance_on_commit(namespace=READS_NAMESPACE, using=alias_for("catalog"))


# --- categories ------------------------------------------------------------


def category_create(
    *, name: str, slug: str = "", parent: Category | None = None
) -> Category:
    category = Category(name=name.strip(), slug=slug or slugify(name), parent=parent)
    _check_category(category)
    with _integrity_as_field_errors(CATEGORY_CONSTRAINTS), atomic_for(Product):
        category.save()
        _category_changed(category, action="created")
    return category


def category_update(*, category: Category, data: dict) -> Category:
    _reject_unknown(data, CATEGORY_FIELDS)
    for field, value in data.items():
        setattr(category, field, value)
    _check_category(category)
    with _integrity_as_field_errors(CATEGORY_CONSTRAINTS), atomic_for(Product):
        category.save()
        _category_changed(category, action="changed")
    return category


def category_delete(*, category: Category) -> None:
    with atomic_for(Product):
        locked = Category.objects.select_for_update().filter(pk=category.pk).first()
        if locked is None:
            return
        if locked.children.exists() or locked.products.exists():
            raise CategoryInUse(
                f"Category {locked.slug!r} still has products or subcategories."
            )
        _category_changed(locked, action="deleted")
        locked.delete()


def _category_changed(category: Category, *, action: str) -> None:
    publish(CategoryChanged(category_id=category.pk, slug=category.slug, action=action))


def _sibling_named(category: Category) -> bool:
    siblings = Category.objects.filter(
        parent_id=category.parent_id, name__iexact=category.name
    )
    return siblings.exclude(pk=category.pk).exists()


def _check_category(category: Category) -> None:
    errors = {}
    if not category.name:
        errors["name"] = ["This field may not be blank."]
    elif len(category.name) > 120:
        errors["name"] = ["Ensure this field has no more than 120 characters."]
    elif _sibling_named(category):
        errors["name"] = [CATEGORY_NAME_TAKEN]
    if not category.slug:
        errors["slug"] = ["Enter a valid slug."]
    elif Category.objects.filter(slug=category.slug).exclude(pk=category.pk).exists():
        errors["slug"] = ["A category with this slug already exists."]
    if category.parent_id is not None and category.pk is not None:
        if selectors.category_would_cycle(
            category_id=category.pk, parent_id=category.parent_id
        ):
            errors["parent"] = ["A category cannot be placed below itself."]
    if errors:
        raise ValidationFailed(errors)


@contextmanager
def _integrity_as_field_errors(markers: dict[str, tuple[str, str]]):
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


CATEGORY_NAME_TAKEN = "A category with this name already exists there."
CATEGORY_CONSTRAINTS = {
    "name_unique": ("name", CATEGORY_NAME_TAKEN),
    "slug": ("slug", "A category with this slug already exists."),
}
PRODUCT_CONSTRAINTS = {
    "sku_ci_unique": ("sku", SKU_TAKEN),
    "price_gte_0": ("price", "Ensure the price is not negative."),
}


# --- products --------------------------------------------------------------


def product_create(
    *,
    sku: str,
    name: str,
    price: Decimal | str | int,
    description: str = "",
    category: Category | None = None,
    slug: str = "",
    is_active: bool = True,
) -> Product:
    product = Product(
        sku=(sku or "").strip(),
        name=(name or "").strip(),
        description=description or "",
        category=category,
        is_active=is_active,
        currency=settings.DEFAULT_CURRENCY,
    )
    product.price = _clean_price(price)
    product.slug = slug or _slug_for(product)
    _check_product(product)
    with _integrity_as_field_errors(PRODUCT_CONSTRAINTS), atomic_for(Product):
        product.save(force_insert=True)
        publish(
            ProductCreated(
                product_id=product.pk,
                sku=product.sku,
                name=product.name,
                price=product.price,
                currency=product.currency,
            )
        )
    return product


def product_update(*, product_id: uuid.UUID, data: dict) -> Product:
    """Change some of `PRODUCT_FIELDS` and `is_active`; publishes a price change
    and a deactivation when they happen."""
    _reject_unknown(data, PRODUCT_FIELDS | {"is_active"})
    with _integrity_as_field_errors(PRODUCT_CONSTRAINTS), atomic_for(Product):
        product = _locked_product(product_id)
        old_price, was_active = product.price, product.is_active
        before = {field: getattr(product, field) for field in data}
        for field, value in data.items():
            if field == "price":
                value = _clean_price(value)
            elif field in ("sku", "name") and isinstance(value, str):
                value = value.strip()
            setattr(product, field, value)
        if "slug" in data and not product.slug:
            product.slug = _slug_for(product)
        _check_product(product)
        product.save()
        changed = sorted(f for f in data if getattr(product, f) != before[f])
        if changed:
            publish(ProductChanged(product_id=product.pk, fields=tuple(changed)))
        if product.price != old_price:
            publish(
                ProductPriceChanged(
                    product_id=product.pk,
                    old_price=old_price,
                    new_price=product.price,
                    currency=product.currency,
                )
            )
        if was_active and not product.is_active:
            publish(ProductDeactivated(product_id=product.pk))
    return product


def product_deactivate(*, product_id: uuid.UUID) -> Product:
    """Idempotent: deactivating an inactive product changes and publishes nothing."""
    return product_update(product_id=product_id, data={"is_active": False})


def product_activate(*, product_id: uuid.UUID) -> Product:
    return product_update(product_id=product_id, data={"is_active": True})


def _locked_product(product_id: uuid.UUID) -> Product:
    product = Product.objects.select_for_update().filter(pk=product_id).first()
    if product is None:
        raise ProductNotFound(f"No product with id {product_id}.")
    return product


def _slug_for(product: Product) -> str:
    return slugify(f"{product.name} {product.sku}")[:200]


def _clean_price(value) -> Decimal:
    if isinstance(value, float):
        value = str(value)
    try:
        price = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed({"price": ["A valid number is required."]}) from None
    if not price.is_finite():
        raise ValidationFailed({"price": ["A valid number is required."]})
    if price < 0:
        raise ValidationFailed({"price": ["Ensure the price is not negative."]})
    if price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
        raise ValidationFailed(
            {"price": ["Use at most 10 digits before and 2 after the decimal point."]}
        )
    return price.quantize(Decimal("0.01"))


def _check_product(product: Product) -> None:
    errors = {}
    for field, limit in (("sku", 64), ("name", 200), ("slug", 200)):
        value = getattr(product, field)
        if not value:
            errors[field] = ["This field may not be blank."]
        elif len(value) > limit:
            errors[field] = [f"Ensure this field has no more than {limit} characters."]
    if "sku" not in errors and selectors.product_sku_taken(
        sku=product.sku, exclude_id=product.pk
    ):
        errors["sku"] = [SKU_TAKEN]
    if errors:
        raise ValidationFailed(errors)


def _reject_unknown(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(
            {field: ["This field cannot be changed."] for field in unknown}
        )


# --- the in-stock read model -------------------------------------------------


def product_availability_apply(
    *, product_id: uuid.UUID, available: int, version: int
) -> bool:
    """Record inventory's stock level of a product if it is newer than what we
    have; duplicates and stale (out-of-order) versions are ignored. Returns
    whether it was applied.

    The row, once it exists, is only changed by a conditional UPDATE (version
    lower than ours), whose row lock also orders the copies to
    `Product.in_stock`. A concurrent first insert is settled by the primary
    key: the loser goes round again and meets the winner's committed row."""
    with atomic_for(Product):
        try:
            applied = _availability_record(
                product_id=product_id, available=available, version=version
            )
        except IntegrityError as exc:
            raise Conflict(f"stock level of {product_id} kept changing; retry") from exc
        in_stock = available > 0
        if applied and Product.objects.filter(pk=product_id).exclude(
            in_stock=in_stock
        ).update(in_stock=in_stock):
            catalog_reads_changed()  # an in-stock flip; other levels show nothing
    return applied


@retry(
    retry=retry_if_exception_type(IntegrityError),
    stop=stop_after_attempt(3),
    reraise=True,
)
def _availability_record(
    *, product_id: uuid.UUID, available: int, version: int
) -> bool:
    rows = ProductAvailability.objects.filter(pk=product_id)
    if rows.filter(version__lt=version).update(
        available=available, version=version, updated_at=timezone.now()
    ):
        return True
    if rows.filter(version__gte=version).exists():
        return False  # as new or newer already recorded
    with atomic_for(Product):  # a savepoint: a concurrent insert rolls back only it
        ProductAvailability.objects.create(
            product_id=product_id, available=available, version=version
        )
    return True
