"""Full-text and trigram search. The extension and the GIN indexes exist on
PostgreSQL only; elsewhere the listing's search falls back to `icontains`, so
these operations change only the migration state there."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations

from apps.catalog.migrations._postgres import (
    AddIndexOnPostgres,
    TrigramExtensionOnPostgres,
)


def fill_search_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector
    from django.db.models import F, Func, TextField, Value

    def words(field):
        return Func(
            F(field),
            Value(r"[^[:alnum:]]+"),
            Value(" "),
            Value("g"),
            function="REGEXP_REPLACE",
            output_field=TextField(),
        )

    Product = apps.get_model("catalog", "Product")
    Product.objects.using(schema_editor.connection.alias).update(
        search_vector=SearchVector(words("name"), weight="A", config="simple")
        + SearchVector(words("variant_skus"), weight="A", config="simple")
        + SearchVector(words("description"), weight="B", config="simple")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_variants"),
    ]

    operations = [
        TrigramExtensionOnPostgres(),
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True
            ),
        ),
        AddIndexOnPostgres(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="catalog_prod_search"
            ),
        ),
        AddIndexOnPostgres(
            model_name="product",
            index=django.contrib.postgres.indexes.GistIndex(
                fields=["name"],
                name="catalog_prod_name_trgm",
                opclasses=["gist_trgm_ops"],
            ),
        ),
        migrations.RunPython(fill_search_vectors, migrations.RunPython.noop),
    ]
