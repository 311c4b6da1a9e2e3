"""Input validation and output shapes of the catalog API."""

from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from apps.catalog.models import Category, TaxClass
from apps.common.schema import example


def media_urls(request) -> Callable[[str], str]:
    """A stored file's name -> its absolute URL: the storage's own where it is
    absolute already (S3, a CDN domain), else on this request's host."""

    def url(name: str) -> str:
        found = default_storage.url(name)
        return found if urlsplit(found).scheme else request.build_absolute_uri(found)

    return url


def _sized(file: dict, url: Callable[[str], str]) -> dict:
    return {"url": url(file["name"]), "width": file["width"], "height": file["height"]}


def image_out(row: dict, *, url: Callable[[str], str]) -> dict:
    """A row of `selectors.product_image_rows` as the API shows it."""
    return {
        "id": row["id"],
        "url": url(row["image"]),
        "alt_text": row["alt_text"],
        "position": row["position"],
        "width": row["width"],
        "height": row["height"],
        "thumbnails": {
            label: _sized(file, url) for label, file in row["thumbnails"].items()
        },
    }


def product_out(row: dict, *, url: Callable[[str], str]) -> dict:
    """A product row from `selectors.product_rows` as the API shows it. Plain
    dict work: the listing renders pages of up to 100 of these. `image`: the
    first image's listing thumbnail."""
    thumbnails = row["image_thumbnails"]
    image = None
    if thumbnails:
        image = {
            **_sized(thumbnails["listing"], url),
            "alt_text": row["image_alt_text"],
        }
    return {
        "id": row["id"],
        "sku": row["sku"],
        "slug": row["slug"],
        "name": row["name"],
        "description": row["description"],
        "price": str(row["price"]),
        "price_max": str(row["price_max"]),
        "currency": row["currency"],
        "tax_class": row["tax_class"],
        "category": row["category_slug"],
        "is_active": row["is_active"],
        "in_stock": row["in_stock"],
        "image": image,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def variant_out(variant: dict) -> dict:
    return {
        "id": variant["id"],
        "sku": variant["sku"],
        "price": str(variant["price"]),
        "options": variant["options"],
        "is_active": variant["is_active"],
        "in_stock": variant["in_stock"],
    }


def product_detail_out(
    row: dict, variants: list[dict], images: list[dict], *, url: Callable[[str], str]
) -> dict:
    """`product_out` with every image (display order) and the product's options
    and variants."""
    options: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in variant["options"].items():
            values = options.setdefault(name, [])
            if value not in values:
                values.append(value)
    return {
        **product_out(row, url=url),
        "images": [image_out(image, url=url) for image in images],
        "options": [{"name": n, "values": v} for n, v in options.items()],
        "variants": [variant_out(variant) for variant in variants],
    }


MEDIA = "http://127.0.0.1:8000/media/products/3fa85f64-5717-4562-b3fc-2c963f66afa6"
LISTING_IMAGE_EXAMPLE = {
    "url": f"{MEDIA}/9b2f0c6e-listing.jpg",
    "width": 200,
    "height": 150,
    "alt_text": "The lamp, switched on",
}
IMAGE_EXAMPLE = {
    "id": 12,
    "url": f"{MEDIA}/9b2f0c6e.jpg",
    "alt_text": "The lamp, switched on",
    "position": 0,
    "width": 1600,
    "height": 1200,
    "thumbnails": {
        "listing": {
            "url": f"{MEDIA}/9b2f0c6e-listing.jpg",
            "width": 200,
            "height": 150,
        },
        "detail": {"url": f"{MEDIA}/9b2f0c6e-detail.jpg", "width": 600, "height": 450},
    },
}


class SizedFileSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ListingImageSerializer(SizedFileSerializer):
    alt_text = serializers.CharField()


class ThumbnailsSerializer(serializers.Serializer):
    listing = SizedFileSerializer(help_text="Fits CATALOG_IMAGE_LISTING_SIZE.")
    detail = SizedFileSerializer(help_text="Fits CATALOG_IMAGE_DETAIL_SIZE.")


@example(name="An image", value=IMAGE_EXAMPLE, request=False)
class ProductImageOutSerializer(serializers.Serializer):
    """Documents `image_out` in the OpenAPI schema."""

    id = serializers.IntegerField()
    url = serializers.URLField(help_text="The original, as uploaded.")
    alt_text = serializers.CharField()
    position = serializers.IntegerField(help_text="0 is shown first.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    thumbnails = ThumbnailsSerializer()


class ProductImageInSerializer(serializers.Serializer):
    # What the file is, the service reads from its content (Pillow), never
    # from its name or declared type.
    image = serializers.FileField(
        help_text="JPEG, PNG or WebP, within CATALOG_IMAGE_MAX_BYTES and "
        "CATALOG_IMAGE_MAX_SIDE pixels on each side."
    )
    alt_text = serializers.CharField(max_length=250, required=False, allow_blank=True)
    position = serializers.IntegerField(
        min_value=0, required=False, help_text="Default: after the others."
    )


@example(
    name="Move to the front, new alt text",
    value={"alt_text": "The lamp, switched off", "position": 0},
    request=True,
)
class ProductImageChangeSerializer(serializers.Serializer):
    alt_text = serializers.CharField(max_length=250, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, required=False)


PRODUCT_EXAMPLE = {
    "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "sku": "LAMP-1",
    "slug": "desk-lamp-lamp-1",
    "name": "Desk lamp",
    "description": "",
    "price": "29.90",
    "price_max": "29.90",
    "currency": "EUR",
    "tax_class": "standard",
    "category": "home",
    "is_active": True,
    "in_stock": True,
    "image": LISTING_IMAGE_EXAMPLE,
    "created_at": "2026-01-15T10:00:00Z",
    "updated_at": "2026-01-15T10:00:00Z",
}


@example(name="A product", value=PRODUCT_EXAMPLE, request=False)
class ProductOutSerializer(serializers.Serializer):
    """Documents `product_out` in the OpenAPI schema. `price` and `price_max`:
    the lowest and highest price of its active variants."""

    id = serializers.UUIDField()
    sku = serializers.CharField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    tax_class = serializers.ChoiceField(choices=TaxClass.choices)
    category = serializers.SlugField(allow_null=True)
    is_active = serializers.BooleanField()
    in_stock = serializers.BooleanField()
    image = ListingImageSerializer(
        allow_null=True, help_text="The first image's listing thumbnail; null without."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@example(
    name="A variant",
    value={
        "id": "0b9f2c4e-8d1a-4c4e-9a57-3f1f0f6f2a10",
        "sku": "TEE-M-RED",
        "price": "19.90",
        "options": {"colour": "red", "size": "M"},
        "is_active": True,
        "in_stock": True,
    },
    request=False,
)
class VariantOutSerializer(serializers.Serializer):
    """A sellable item: its id is what carts, orders and stock call product_id."""

    id = serializers.UUIDField()
    sku = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    options = serializers.DictField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    in_stock = serializers.BooleanField()


class OptionOutSerializer(serializers.Serializer):
    name = serializers.CharField()
    values = serializers.ListField(child=serializers.CharField())


@example(
    name="A product with its images and variants",
    value={
        "id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "sku": "TEE",
        "slug": "t-shirt-tee",
        "name": "T-shirt",
        "description": "Organic cotton.",
        "price": "19.90",
        "price_max": "21.90",
        "currency": "EUR",
        "tax_class": "standard",
        "category": "clothing",
        "is_active": True,
        "in_stock": True,
        "image": LISTING_IMAGE_EXAMPLE,
        "created_at": "2026-01-15T10:00:00Z",
        "updated_at": "2026-01-15T10:00:00Z",
        "images": [IMAGE_EXAMPLE],
        "options": [{"name": "size", "values": ["M", "XL"]}],
        "variants": [
            {
                "id": "0b9f2c4e-8d1a-4c4e-9a57-3f1f0f6f2a10",
                "sku": "TEE-M",
                "price": "19.90",
                "options": {"size": "M"},
                "is_active": True,
                "in_stock": True,
            },
            {
                "id": "5d3c1a7e-2b9f-4e11-8c3d-7a6b5c4d3e2f",
                "sku": "TEE-XL",
                "price": "21.90",
                "options": {"size": "XL"},
                "is_active": True,
                "in_stock": False,
            },
        ],
    },
    request=False,
)
class ProductDetailOutSerializer(ProductOutSerializer):
    """Documents `product_detail_out`: non-staff see active variants only."""

    images = ProductImageOutSerializer(many=True, help_text="In display order.")
    options = OptionOutSerializer(many=True)
    variants = VariantOutSerializer(many=True)


@example(
    name="A new variant",
    value={"sku": "TEE-L", "price": "20.90", "options": {"size": "L"}},
    request=True,
)
class VariantInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0")
    )
    options = serializers.DictField(
        child=serializers.CharField(max_length=60),
        required=False,
        help_text="Option name to value; every variant of a product has the same names.",
    )
    is_active = serializers.BooleanField(required=False)


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new product",
            value={
                "sku": "LAMP-1",
                "name": "Desk lamp",
                "price": "29.90",
                "category": "home",
            },
            request_only=True,
        ),
        OpenApiExample(
            "A new product with variants",
            value={
                "sku": "TEE",
                "name": "T-shirt",
                "category": "clothing",
                "variants": [
                    {"sku": "TEE-M", "price": "19.90", "options": {"size": "M"}},
                    {"sku": "TEE-XL", "price": "21.90", "options": {"size": "XL"}},
                ],
            },
            request_only=True,
        ),
    ]
)
class ProductInSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text="Required unless `variants` are given (a single-variant product).",
    )
    variants = VariantInSerializer(
        many=True,
        required=False,
        help_text="On creation only: the product's variants, each with its price.",
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
