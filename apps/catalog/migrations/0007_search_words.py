"""Typo correction by a lexicon: the words of the products' search vectors,
with a trigram index, replace the trigram index on product names (search
compared the typed text with every matching name; it now corrects each typed
word to the nearest product word and runs the ranked full-text query)."""

import django.contrib.postgres.indexes
from django.db import migrations, models

from apps.catalog.migrations._postgres import (
    AddIndexOnPostgres,
    RemoveIndexOnPostgres,
)

WORDS_OF_EVERY_PRODUCT = """
    INSERT INTO catalog_searchword (word)
    SELECT DISTINCT word
    FROM catalog_product, unnest(tsvector_to_array(search_vector)) AS word
    WHERE length(word) <= 50
    ON CONFLICT DO NOTHING
"""


def fill_search_words(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WORDS_OF_EVERY_PRODUCT)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_search"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "word",
                    models.CharField(max_length=50, primary_key=True, serialize=False),
                ),
            ],
        ),
        AddIndexOnPostgres(
            model_name="searchword",
            index=models.Index(
                fields=["word"],
                name="catalog_word_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        AddIndexOnPostgres(
            model_name="searchword",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["word"], name="catalog_word_trgm", opclasses=["gin_trgm_ops"]
            ),
        ),
        RemoveIndexOnPostgres(model_name="product", name="catalog_prod_name_trgm"),
        migrations.RunPython(fill_search_words, migrations.RunPython.noop),
    ]
