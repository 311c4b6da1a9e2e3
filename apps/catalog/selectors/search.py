"""Product search (private). On PostgreSQL: the stored, weighted
`Product.search_vector` (GIN index) matched by every word as a prefix, ranked
by ts_rank; when nothing matches so, the name matched by trigram word
similarity (GiST trigram index) so typos still find it, nearest first; ties
broken by id. Elsewhere: every word `icontains`
in the name, SKUs or description, in the listing's ordering."""

import re

from django.conf import settings
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramWordDistance,
)
from django.db import connections, router
from django.db.models import F, Q, QuerySet, Value

from apps.catalog.models import Product
from apps.common.db import alias_for

MAX_WORDS = 8
MAX_TYPO_RESULTS = 200
MAX_WORD_LENGTH = 50


def search_words(text: str) -> list[str]:
    """The words of `text` (letters and digits), lower-cased: what becomes
    the prefix query, so no input can break the tsquery syntax."""
    words = re.findall(r"[^\W_]+", text.lower())
    return [word[:MAX_WORD_LENGTH] for word in words[:MAX_WORDS]]


def product_search(products: QuerySet[Product], *, text: str) -> QuerySet[Product]:
    text = " ".join(text.split())
    if not text:
        return products
    if connections[router.db_for_read(Product)].vendor != "postgresql":
        for word in text.split()[:MAX_WORDS]:
            products = products.filter(
                Q(name__icontains=word)
                | Q(variant_skus__icontains=word)
                | Q(description__icontains=word)
            )
        return products
    words = search_words(text)
    if not words:
        return products.none()
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
    )
    prefixed = products.filter(search_vector=query)
    if prefixed.exists():
        return prefixed.alias(relevance=SearchRank(F("search_vector"), query)).order_by(
            "-relevance", "id"
        )
    # No product has words starting with the typed ones: a typo. The GiST
    # trigram index yields the nearest names without comparing every name
    # (a nearest-first index scan, which a tie-breaking `id` would defeat), so
    # the nearest MAX_TYPO_RESULTS are picked that way, then ordered with `id`.
    typed = Value(" ".join(words))
    distance = TrigramWordDistance(typed, F("name"))
    nearest = (
        products.filter(TrigramWordSimilar(F("name"), typed))
        .alias(distance=distance)
        .order_by("distance")
        .values("pk")[:MAX_TYPO_RESULTS]
    )
    return (
        products.filter(pk__in=nearest)
        .alias(distance=distance)
        .order_by("distance", "id")
    )


def search_session_setup(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the word-similarity threshold of the
    trigram operator (pg_trgm's default, 0.6, misses one transposed letter in
    a short word); a placeholder until pg_trgm loads, so harmless elsewhere."""
    if connection.vendor != "postgresql" or connection.alias != alias_for("catalog"):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(settings.CATALOG_SEARCH_TYPO_SIMILARITY)],
        )
