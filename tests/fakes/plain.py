"""Argument checks every fake shares with the interface it stands for."""

import uuid

from apps.common.errors import ValidationFailed


def product_uuids(values: list[uuid.UUID | str]) -> set[uuid.UUID]:
    """The ids as UUIDs; one that is not a UUID is refused, as the apps do."""
    try:
        return {uuid.UUID(str(value)) for value in values}
    except ValueError:
        raise ValidationFailed({"product_ids": ["Each id must be a UUID."]}) from None
