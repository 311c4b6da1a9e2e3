"""Variants: every existing product becomes a single-variant product whose
variant has the product's id, SKU and price, so the ids inventory and orders
hold stay the sellable ids."""

import uuid

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


def single_variant_per_product(apps, schema_editor):
    db = schema_editor.connection.alias
    Product = apps.get_model("catalog", "Product")
    Variant = apps.get_model("catalog", "Variant")
    products = Product.objects.using(db).order_by("pk")
    for start in range(0, products.count(), 1000):
        batch = list(products[start : start + 1000])
        Variant.objects.using(db).bulk_create(
            Variant(
                id=p.pk,
                product_id=p.pk,
                sku=p.sku,
                price=p.price,
                is_active=True,
                in_stock=p.in_stock,
                created_at=p.created_at,
                updated_at=p.updated_at,
            )
            for p in batch
        )
        for p in batch:
            p.price_max = p.price
            p.variant_skus = p.sku
        Product.objects.using(db).bulk_update(batch, ["price_max", "variant_skus"])


def products_from_variants(apps, schema_editor):
    """Backwards: only single-variant products can go back without loss."""
    db = schema_editor.connection.alias
    Product = apps.get_model("catalog", "Product")
    Variant = apps.get_model("catalog", "Variant")
    multi = (
        Product.objects.using(db)
        .annotate(n=models.Count("variants"))
        .filter(n__gt=1)
    )
    if multi.exists():
        raise RuntimeError("Products with several variants cannot be un-migrated.")
    for variant in Variant.objects.using(db).all():
        Product.objects.using(db).filter(pk=variant.product_id).update(
            sku=variant.sku, price=variant.price
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_product_images"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="price_max",
            field=models.DecimalField(decimal_places=2, default=0, max_digits=12),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="product",
            name="variant_skus",
            field=models.TextField(default="", editable=False),
        ),
        migrations.CreateModel(
            name="Variant",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("sku", models.CharField(max_length=64, verbose_name="SKU")),
                ("price", models.DecimalField(decimal_places=2, max_digits=12)),
                (
                    "options_label",
                    models.CharField(default="", editable=False, max_length=255),
                ),
                ("is_active", models.BooleanField(default=True)),
                ("in_stock", models.BooleanField(default=False, editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="variants",
                        to="catalog.product",
                    ),
                ),
            ],
            options={
                "ordering": ["product", "created_at", "id"],
                "indexes": [
                    models.Index(
                        fields=["product", "is_active"], name="catalog_var_product"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("sku"),
                        name="catalog_variant_sku_ci_unique",
                        violation_error_message=(
                            "A variant with this SKU already exists."
                        ),
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("price__gte", 0)),
                        name="catalog_variant_price_gte_0",
                        violation_error_message="Ensure the price is not negative.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="VariantOption",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("name", models.CharField(max_length=60)),
                ("value", models.CharField(max_length=60)),
                (
                    "variant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="option_values",
                        to="catalog.variant",
                    ),
                ),
            ],
            options={
                "ordering": ["name", "id"],
                "indexes": [
                    models.Index(
                        fields=["name", "value"], name="catalog_varopt_name_value"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("variant", "name"),
                        name="catalog_variant_option_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(single_variant_per_product, products_from_variants),
    ]
