"""The search indexes rebuilt without GIN's pending list (fastupdate): rows
written since the last vacuum sat in it, scanned without the index, and the
planner, costing that list, chose a seq scan of every product or word. The
lexicon's prefix index goes: the primary key's pattern index is the same."""

import django.contrib.postgres.indexes
from django.db import migrations

from apps.catalog.migrations._postgres import (
    AddIndexOnPostgres,
    RemoveIndexOnPostgres,
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_search_words"),
    ]

    operations = [
        RemoveIndexOnPostgres(model_name="product", name="catalog_prod_search"),
        RemoveIndexOnPostgres(model_name="searchword", name="catalog_word_trgm"),
        RemoveIndexOnPostgres(model_name="searchword", name="catalog_word_prefix"),
        AddIndexOnPostgres(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                fastupdate=False, fields=["search_vector"], name="catalog_prod_search"
            ),
        ),
        AddIndexOnPostgres(
            model_name="searchword",
            index=django.contrib.postgres.indexes.GinIndex(
                fastupdate=False,
                fields=["word"],
                name="catalog_word_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ),
    ]
