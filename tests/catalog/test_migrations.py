"""The variants, search-vector and search-word data migrations, run on the
schema before them (0004_product_images)."""

import uuid
from decimal import Decimal

import pytest
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from apps.common.db import alias_for

BEFORE = [("catalog", "0004_product_images")]
AFTER = [("catalog", "0007_search_words")]


def migrate(connection, targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_product_becomes_a_variant_with_its_own_id_sku_and_price():
    connection = connections[alias_for("catalog")]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("catalog")
    old = migrate(connection, BEFORE)
    try:
        Product = old.get_model("catalog", "Product")
        Availability = old.get_model("catalog", "ProductAvailability")
        db = connection.alias
        lamp_id, mug_id = uuid.uuid4(), uuid.uuid4()
        Product.objects.using(db).create(
            id=lamp_id,
            sku="LAMP-1",
            slug="lamp",
            name="Desk lamp",
            description="Warm light",
            price=Decimal("29.90"),
            currency="EUR",
            in_stock=True,
        )
        Product.objects.using(db).create(
            id=mug_id,
            sku="MUG-1",
            slug="mug",
            name="Mug",
            price=Decimal("8.00"),
            currency="EUR",
            is_active=False,
        )
        Availability.objects.using(db).create(
            product_id=lamp_id, available=3, version=7
        )

        new = migrate(connection, AFTER)

        Variant = new.get_model("catalog", "Variant")
        rows = (
            Variant.objects.using(db)
            .order_by("sku")
            .values_list(
                "id",
                "product_id",
                "sku",
                "price",
                "is_active",
                "in_stock",
                "options_label",
            )
        )
        assert list(rows) == [
            (lamp_id, lamp_id, "LAMP-1", Decimal("29.90"), True, True, ""),
            (mug_id, mug_id, "MUG-1", Decimal("8.00"), True, False, ""),
        ]
        products = new.get_model("catalog", "Product").objects.using(db)
        assert list(
            products.order_by("sku").values_list(
                "sku", "price", "price_max", "variant_skus", "is_active"
            )
        ) == [
            ("LAMP-1", Decimal("29.90"), Decimal("29.90"), "LAMP-1", True),
            ("MUG-1", Decimal("8.00"), Decimal("8.00"), "MUG-1", False),
        ]
        availability = new.get_model("catalog", "ProductAvailability")
        assert availability.objects.using(db).get().product_id == lamp_id
        if connection.vendor == "postgresql":
            vector = products.get(pk=lamp_id).search_vector
            # name and SKU (LAMP-1 as two words) weighted A, the description B
            assert vector == "'1':4A 'desk':1A 'lamp':2A,3A 'light':6B 'warm':5B"
            words = new.get_model("catalog", "SearchWord").objects.using(db)
            assert sorted(words.values_list("word", flat=True)) == [
                "1",
                "desk",
                "lamp",
                "light",
                "mug",
                "warm",
            ]
    finally:
        migrate(connection, BEFORE)  # empties the tables this test filled
        migrate(connection, latest)
