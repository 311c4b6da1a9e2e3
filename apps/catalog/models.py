"""Catalog data (private): the category tree, products with their variants
(the sellable items) and the in-stock read model."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Length, Lower


class Category(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="catalog_category_not_own_parent",
            ),
            # Siblings never share a name (NULL parents are distinct in SQL, so
            # the top level needs a constraint of its own).
            models.UniqueConstraint(
                Lower("name"),
                "parent",
                condition=models.Q(parent__isnull=False),
                name="catalog_category_name_unique_in_parent",
            ),
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(parent__isnull=True),
                name="catalog_category_name_unique_at_top",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TaxClass(models.TextChoices):
    """Which of a country's VAT rates applies (the orders app holds the rates)."""

    STANDARD = "standard", "Standard rate"
    REDUCED = "reduced", "Reduced rate"


class Product(models.Model):
    """What a listing shows. `price`, `price_max`, `in_stock` and `variant_skus`
    summarise the variants (written by the services with them), so the listing
    filters, orders and searches without a join."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sku = models.CharField("SKU", max_length=64)
    slug = models.SlugField(max_length=200)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    # Lowest and highest price over the active variants (all variants when none
    # is active).
    price = models.DecimalField(max_digits=12, decimal_places=2)
    price_max = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    tax_class = models.CharField(
        max_length=16, choices=TaxClass.choices, default=TaxClass.STANDARD
    )
    is_active = models.BooleanField(default=True)
    # Whether any active variant is in stock (from the read model below).
    in_stock = models.BooleanField(default=False, editable=False)
    variant_skus = models.TextField(default="", editable=False)
    # PostgreSQL only (NULL elsewhere): name and SKUs weighted A, description B.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("sku"),
                name="catalog_product_sku_ci_unique",
                violation_error_message="A product with this SKU already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="catalog_product_price_gte_0",
                violation_error_message="Ensure the price is not negative.",
            ),
            models.CheckConstraint(
                condition=models.lookups.Exact(Length("currency"), 3),
                name="catalog_product_currency_iso4217",
            ),
        ]
        indexes = [
            # One index per public ordering, led by the active flag that every
            # anonymous listing filters on; `id` keeps pages stable.
            models.Index(
                fields=["is_active", "-created_at", "id"],
                name="catalog_prod_active_created",
            ),
            models.Index(
                fields=["is_active", "price", "id"], name="catalog_prod_active_price"
            ),
            models.Index(
                fields=["is_active", "name", "id"], name="catalog_prod_active_name"
            ),
            models.Index(
                fields=["category", "is_active"], name="catalog_prod_category"
            ),
            models.Index(fields=["slug"], name="catalog_prod_slug"),
            # Created on PostgreSQL only (migrations 0006, 0008). No pending
            # list (fastupdate): a search would scan it unindexed until a
            # vacuum, and the planner, costing it, falls back to a seq scan.
            GinIndex(
                fields=["search_vector"], name="catalog_prod_search", fastupdate=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


def product_image_path(image: "ProductImage", filename: str) -> str:
    """Where an upload is stored: under its product, with the name the service
    chose (random, with the extension of the format found in its content)."""
    return f"products/{image.product_id}/{filename}"


class ProductImage(models.Model):
    """A picture of a product, shown in `position` order (0 first). Its
    thumbnails are files of their own, made once at upload: `thumbnails` maps
    a size name (CATALOG_IMAGE_THUMBNAIL_SIZES) to {name, width, height}."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images"
    )
    # Width and height are the service's reading of the content, not Django's
    # width_field (which reopens the file on every assignment).
    image = models.ImageField(upload_to=product_image_path, max_length=255)
    alt_text = models.CharField(max_length=250, blank=True, default="")
    position = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    thumbnails = models.JSONField(default=dict, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(
                fields=["product", "position", "id"], name="catalog_image_order"
            )
        ]

    def __str__(self) -> str:
        return self.alt_text or self.image.name


class Variant(models.Model):
    """The sellable item: its id is what inventory's stock rows, carts and order
    lines call `product_id`. A product made without variants has one variant
    with the product's own id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="variants"
    )
    sku = models.CharField("SKU", max_length=64)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    # "M / Red": the option values in option-name order, kept by the services
    # with the VariantOption rows so a snapshot needs no second query.
    options_label = models.CharField(max_length=255, default="", editable=False)
    is_active = models.BooleanField(default=True)
    in_stock = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("sku"),
                name="catalog_variant_sku_ci_unique",
                violation_error_message="A variant with this SKU already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="catalog_variant_price_gte_0",
                violation_error_message="Ensure the price is not negative.",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "is_active"], name="catalog_var_product"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.options_label}".strip()


class VariantOption(models.Model):
    """One option value of a variant (size=M). The product's options are the
    names its variants share; every variant of a product has the same names."""

    variant = models.ForeignKey(
        Variant, on_delete=models.CASCADE, related_name="option_values"
    )
    name = models.CharField(max_length=60)
    value = models.CharField(max_length=60)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "name"], name="catalog_variant_option_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["name", "value"], name="catalog_varopt_name_value"),
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class ProductAvailability(models.Model):
    """Whether a sellable item (a variant) is in stock, as last told by
    inventory's StockAvailabilityChanged, with that stock row's version.

    Keyed by the variant's UUID without a foreign key: an event may arrive
    before (or without) the variant, and inventory's ids are plain data here.
    """

    product_id = models.UUIDField(primary_key=True)
    in_stock = models.BooleanField()
    version = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "product availability"

    def __str__(self) -> str:
        state = "in stock" if self.in_stock else "sold out"
        return f"{self.product_id}: {state} (v{self.version})"


def product_search_vector():
    """What `Product.search_vector` holds: name and SKUs weighted A, the
    description B, with the `simple` configuration (no stemming, so a prefix
    typed so far matches the words it starts). Punctuation becomes a space
    first, as in the query (`LAMP-1` is `lamp` and `1`, not `lamp` and `-1`)."""
    return (
        SearchVector(_words("name"), weight="A", config="simple")
        + SearchVector(_words("variant_skus"), weight="A", config="simple")
        + SearchVector(_words("description"), weight="B", config="simple")
    )


def _words(field: str) -> models.Func:
    return models.Func(
        models.F(field),
        models.Value(r"[^[:alnum:]]+"),
        models.Value(" "),
        models.Value("g"),
        function="REGEXP_REPLACE",
        output_field=models.TextField(),
    )


def product_search_words():
    """The words of the (outer) product's search vector, as an array."""
    return models.Func(
        models.F("search_vector"),
        function="tsvector_to_array",
        output_field=ArrayField(models.TextField()),
    )


class SearchWord(models.Model):
    """A word of some product's search vector (PostgreSQL only): what a typed
    word that no product word starts with is corrected to. A word stays when
    its products change or go; a correction to it then finds nothing."""

    MAX_LENGTH = 50

    word = models.CharField(max_length=MAX_LENGTH, primary_key=True)

    class Meta:
        indexes = [
            # Created on PostgreSQL only (migrations 0007, 0008): trigram
            # similarity, without a pending list as Product's search index.
            # "Starts with" uses the primary key's own pattern index, which
            # Django adds on PostgreSQL.
            GinIndex(
                fields=["word"],
                opclasses=["gin_trgm_ops"],
                name="catalog_word_trgm",
                fastupdate=False,
            ),
        ]

    def __str__(self) -> str:
        return self.word


def product_in_stock():
    """Whether any active variant of the (outer) product is in stock."""
    return models.Exists(
        Variant.objects.filter(
            product_id=models.OuterRef("pk"), is_active=True, in_stock=True
        )
    )
