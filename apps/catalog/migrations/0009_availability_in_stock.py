"""ProductAvailability keeps whether an item is in stock (inventory's
StockAvailabilityChanged), no longer its count."""

from django.db import migrations, models


def in_stock_from_available(apps, schema_editor):
    rows = apps.get_model("catalog", "ProductAvailability").objects
    rows.using(schema_editor.connection.alias).filter(available__gt=0).update(
        in_stock=True
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="productavailability",
            name="in_stock",
            field=models.BooleanField(default=False),
            preserve_default=False,
        ),
        migrations.RunPython(in_stock_from_available, migrations.RunPython.noop),
        migrations.RemoveField(model_name="productavailability", name="available"),
    ]
