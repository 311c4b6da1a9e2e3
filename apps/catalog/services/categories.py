"""Category writes (private)."""

from django.utils.text import slugify

from apps.catalog import selectors
from apps.catalog.errors import CategoryInUse
from apps.catalog.events import CategoryChanged
from apps.catalog.models import Category, Product
from apps.catalog.services.common import integrity_as_field_errors, reject_unknown
from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.eventbus.api import publish

CATEGORY_FIELDS = {"name", "slug", "parent"}
CATEGORY_NAME_TAKEN = "A category with this name already exists there."
CATEGORY_CONSTRAINTS = {
    "name_unique": ("name", CATEGORY_NAME_TAKEN),
    "slug": ("slug", "A category with this slug already exists."),
}


def category_create(
    *, name: str, slug: str = "", parent: Category | None = None
) -> Category:
    category = Category(name=name.strip(), slug=slug or slugify(name), parent=parent)
    _check_category(category)
    with integrity_as_field_errors(CATEGORY_CONSTRAINTS), atomic_for(Product):
        category.save()
        _category_changed(category, action="created")
    return category


def category_update(*, category: Category, data: dict) -> Category:
    reject_unknown(data, CATEGORY_FIELDS)
    for field, value in data.items():
        setattr(category, field, value)
    _check_category(category)
    with integrity_as_field_errors(CATEGORY_CONSTRAINTS), atomic_for(Product):
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
