"""Input validation and output shapes of the catalog API."""

from decimal import Decimal

from django.conf import settings
from rest_framework import serializers

from apps.catalog.models import Category, TaxClass
from apps.common.schema import example


def product_out(row: dict) -> dict:
    """A product row from `selectors.product_rows` as the API shows it. Plain
    dict work: the listing renders pages of up to 100 of these."""
    return {
        "id": row["id"],
        "sku": row["sku"],
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "price": str(row["price"]),
        "currency": row["currency"],
        "tax_class": row["tax_class"],
        "category": row["category__slug"],
        "is_active": row["is_active"],
        "in_stock": row["in_stock"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


@example(
    name="A product",
    value={
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "sku": "LAMP-1",
        "slug": "desk-lamp-lamp-1",
        "name": "Desk lamp",
        "description": "",
        "price": "29.90",
        "currency": "EUR",
        "tax_class": "standard",
        "category": "home",
        "is_active": True,
        "in_stock": True,
        "created_at": "2026-01-15T10:00:00Z",
        "updated_at": "2026-01-15T10:00:00Z",
    },
    request=False,
)
class ProductOutSerializer(serializers.Serializer):
    """Documents `product_out` in the OpenAPI schema."""

    id = serializers.UUIDField()
    sku = serializers.CharField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    tax_class = serializers.ChoiceField(choices=TaxClass.choices)
    category = serializers.SlugField(allow_null=True)
    is_active = serializers.BooleanField()
    in_stock = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@example(
    name="A new product",
    value={
        "sku": "LAMP-1",
        "name": "Desk lamp",
        "price": "29.90",
        "category": "home",
    },
    request=True,
)
class ProductInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0")
    )
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
    )
    slug = serializers.SlugField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    tax_class = serializers.ChoiceField(
        choices=TaxClass.choices,
        required=False,
        help_text="Which VAT rate of the buyer's country applies (standard).",
    )
    currency = serializers.CharField(
        required=False, help_text="The shop's one currency (DEFAULT_CURRENCY)."
    )

    def validate_currency(self, value: str) -> str:
        # Orders total one currency; a product in another would be sold at par.
        if value.upper() != settings.DEFAULT_CURRENCY:
            raise serializers.ValidationError(
                f"The shop sells in {settings.DEFAULT_CURRENCY} only."
            )
        return value.upper()

    def validate(self, attrs: dict) -> dict:
        # Checked above; every product takes the shop's currency.
        attrs.pop("currency", None)
        return attrs


@example(
    name="A subcategory",
    value={"name": "Speakers", "parent": "audio"},
    request=True,
)
class CategoryInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(max_length=140, required=False, allow_blank=True)
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
    )


@example(
    name="A category",
    value={"id": 7, "name": "Speakers", "slug": "speakers", "parent": "audio"},
    request=False,
)
class CategoryOutSerializer(serializers.ModelSerializer):
    # Null for a top-level category (documented as nullable in the schema).
    parent = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent"]
