"""The catalog's anonymous reads through the shared cache (docs/catalog.md).

A read view takes `CachedAnonymousReads` first among its bases; its GETs are
then cached per URL under the catalog's generation, which the catalog's
handlers advance on every product, category or in-stock change."""

from django.conf import settings

from apps.catalog.services import READS_NAMESPACE
from apps.common.http_cache import cached_reads

# Names the shape of the cached answers: change it with any change of what a
# cached view renders, so a release never serves entries of the one before.
REPRESENTATION = "catalog-3"


def _enabled() -> bool:
    return settings.CATALOG_CACHE


def _timeout() -> int:
    return settings.CATALOG_CACHE_SECONDS


class CachedAnonymousReads:
    @classmethod
    def as_view(cls, **initkwargs):
        return cached_reads(
            super().as_view(**initkwargs),
            namespace=READS_NAMESPACE,
            enabled=_enabled,
            timeout=_timeout,
            representation=REPRESENTATION,
        )
