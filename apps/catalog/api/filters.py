"""Query parameters of the product listing (django-filter)."""

import django_filters
from django import forms

from apps.catalog import selectors
from apps.catalog.selectors.search import product_search
from apps.common.errors import ValidationFailed

ORDERINGS = ["price", "-price", "name", "-name", "-created_at"]


class StrictBooleanField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[("true", "true"), ("false", "false")],
            coerce=lambda value: value == "true",
            empty_value=None,
            **kwargs,
        )


class StrictBooleanFilter(django_filters.BooleanFilter):
    """`true` or `false`, documented as a boolean; anything else is a 400 naming
    the parameter (a plain BooleanFilter silently ignores `in_stock=maybe`)."""

    field_class = StrictBooleanField


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        help_text=(
            "Search words: each matches the start of a word of the name, a SKU or"
            " the description, or a name word despite a typo (PostgreSQL);"
            " ordered by relevance unless `ordering` is given."
        ),
    )
    search = django_filters.CharFilter(method="filter_search", help_text="Same as q.")
    option = django_filters.CharFilter(
        method="filter_option",
        help_text=(
            "`name:value` (any case), repeatable: only products with an active"
            " variant having all of them, e.g. option=size:M&option=colour:red."
        ),
    )
    category = django_filters.CharFilter(
        method="filter_category",
        help_text="A category slug; products of its subcategories are included.",
    )
    # On the lowest ("from") price, through the (is_active, price, id) index.
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    in_stock = StrictBooleanFilter(help_text="true: only products in stock.")
    is_active = StrictBooleanFilter(help_text="Staff only: false lists inactive ones.")
    ordering = django_filters.ChoiceFilter(
        choices=[(o, o) for o in ORDERINGS],
        method="filter_ordering",
        empty_label=None,
        help_text="One of: " + ", ".join(ORDERINGS) + " (default -created_at).",
    )

    @classmethod
    def is_requested(cls, query_params) -> bool:
        """Whether any filter parameter is present; the plain listing skips
        building the filter form altogether."""
        return any(name in query_params for name in cls.base_filters)

    def get_form_class(self):
        # The filters are static, so their form class is built once per
        # FilterSet class instead of once per request.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            cls._form_class = super().get_form_class()
        return cls._form_class

    def filter_search(self, queryset, name, value):
        return product_search(queryset, text=value)

    def filter_option(self, queryset, name, value):
        pairs = []
        for given in self.data.getlist(name):
            option, colon, option_value = given.partition(":")
            if not (colon and option.strip() and option_value.strip()):
                raise ValidationFailed({name: ["Use name:value, e.g. size:M."]})
            pairs.append((option.strip(), option_value.strip()))
        return selectors.product_with_options(queryset, options=pairs)

    def filter_category(self, queryset, name, value):
        return queryset.filter(
            category_id__in=selectors.category_descendant_ids(slug=value)
        )

    def filter_ordering(self, queryset, name, value):
        # `id` breaks ties so that pages never repeat or skip a product.
        return queryset.order_by(value, "id")
