"""Facet counts of a product listing (private): how many products of the
current result fall in each category, price band, option value and
availability. Three queries, whatever the size of the result."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from apps.catalog.models import Product, VariantOption


def price_bands() -> list[tuple[Decimal, Decimal | None]]:
    """[(0, 25), (25, 50), ..., (500, None)] from CATALOG_PRICE_BANDS."""
    bounds = [Decimal(b) for b in sorted(settings.CATALOG_PRICE_BANDS)]
    return list(zip(bounds, [*bounds[1:], None], strict=True))


def product_facets(products: QuerySet[Product]) -> dict:
    """Counts over `products` (already filtered). A product counts in the band
    of its lowest price and under each option value of its active variants."""
    products = products.order_by()
    bands = price_bands()
    band_counts = {
        f"band_{i}": Count(
            "pk",
            filter=Q(price__gte=low) & (Q() if high is None else Q(price__lt=high)),
        )
        for i, (low, high) in enumerate(bands)
    }
    totals = products.aggregate(
        **band_counts,
        stocked=Count("pk", filter=Q(in_stock=True)),
        unstocked=Count("pk", filter=Q(in_stock=False)),
    )
    categories = (
        products.values("category__slug")
        .annotate(count=Count("pk"))
        .order_by(F("category__slug").asc(nulls_last=True))
    )
    options = (
        VariantOption.objects.filter(
            variant__product__in=products.values("pk"), variant__is_active=True
        )
        .values("name", "value")
        .annotate(count=Count("variant__product", distinct=True))
        .order_by("name", "value")
    )
    return {
        "category": [
            {"value": row["category__slug"], "count": row["count"]}
            for row in categories
        ],
        "price": [
            {
                "min": str(low),
                "max": None if high is None else str(high),
                "count": totals[f"band_{i}"],
            }
            for i, (low, high) in enumerate(bands)
        ],
        "option": [
            {"name": row["name"], "value": row["value"], "count": row["count"]}
            for row in options
        ],
        "in_stock": [
            {"value": True, "count": totals["stocked"]},
            {"value": False, "count": totals["unstocked"]},
        ],
    }
