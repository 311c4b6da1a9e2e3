"""Catalog data (private): the category tree, products and the in-stock read model."""

import uuid

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
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sku = models.CharField("SKU", max_length=64)
    slug = models.SlugField(max_length=200)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    price = models.DecimalField(max_digits=12, decimal_places=2)
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
    # Copied from the read model below so the listing filters without a join.
    in_stock = models.BooleanField(default=False, editable=False)
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


class ProductAvailability(models.Model):
    """Inventory's stock level of a product, as last told by its events.

    Keyed by the product's UUID without a foreign key: an event may arrive
    before (or without) the product, and inventory's ids are plain data here.
    """

    product_id = models.UUIDField(primary_key=True)
    available = models.IntegerField()
    version = models.BigIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "product availability"

    def __str__(self) -> str:
        return f"{self.product_id}: {self.available} (v{self.version})"
