"""Public functions other apps may call: plain data in, contracts out."""

import uuid
from collections.abc import Iterable

from apps.catalog.contracts import ProductSnapshot


def product_snapshots(
    product_ids: Iterable[uuid.UUID | str],
) -> dict[uuid.UUID, ProductSnapshot]:
    """Snapshots of the products that exist among `product_ids` (active or not),
    keyed by id; unknown ids are simply absent."""
    raise NotImplementedError("built by the catalog issue")
