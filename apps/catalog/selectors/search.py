"""Product search (private). On PostgreSQL: the stored, weighted
`Product.search_vector` (GIN index) matched by every word as a prefix, ranked
by ts_rank, ties broken by id. A typed word that no product word starts with
is a typo: it is replaced by the most similar word of the products (trigram
similarity over the `SearchWord` lexicon), so one ranked query answers both;
one lexicon query judges every typed word.
Elsewhere: every word `icontains` in the name, SKUs or description, in the
listing's ordering."""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections, router
from django.db.models import F, Q, QuerySet

from apps.catalog.models import Product, SearchWord
from apps.common.db import alias_for

MAX_WORDS = 8
MAX_WORD_LENGTH = SearchWord.MAX_LENGTH


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
    spelled = _spellings(search_words(text))
    if not spelled or None in spelled:
        return products.none()
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in search_words(" ".join(spelled))),
        search_type="raw",
        config="simple",
    )
    return (
        products.filter(search_vector=query)
        .alias(relevance=SearchRank(F("search_vector"), query))
        .order_by("-relevance", "id")
    )


# Per typed word, in order: the word itself when the first lexicon word from it
# on (byte order, the prefix index's) starts with it, else the most similar
# word (the trigram index; the session's threshold), else NULL. The nearest
# word is looked for only when no word starts with the typed one.
_SPELLINGS_SQL = f"""
SELECT CASE WHEN starts_with(prefixed.word, typed.word) THEN typed.word ELSE (
         SELECT near.word FROM {SearchWord._meta.db_table} near
          WHERE near.word %% typed.word
          ORDER BY similarity(near.word, typed.word) DESC, near.word LIMIT 1)
       END
  FROM unnest(%s::text[]) WITH ORDINALITY AS typed(word, n)
  LEFT JOIN LATERAL (
         SELECT known.word FROM {SearchWord._meta.db_table} known
          WHERE known.word ~>=~ typed.word
          ORDER BY known.word USING ~<~ LIMIT 1) AS prefixed ON true
 ORDER BY typed.n
"""


def _spellings(words: list[str]) -> list[str | None]:
    """Each of `words` as typed so far when some product word starts with it,
    else the most similar product word, None when no word is similar enough."""
    if not words:
        return []
    with connections[router.db_for_read(SearchWord)].cursor() as cursor:
        cursor.execute(_SPELLINGS_SQL, [words])
        return [word for (word,) in cursor.fetchall()]


def search_session_setup(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the similarity threshold of the trigram
    operator (pg_trgm's default, 0.3, misses one wrong letter in a four-letter
    word); a placeholder until pg_trgm loads, so harmless elsewhere."""
    if connection.vendor != "postgresql" or connection.alias != alias_for("catalog"):
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, false)",
            [str(settings.CATALOG_SEARCH_TYPO_SIMILARITY)],
        )
