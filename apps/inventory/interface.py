"""Public functions other apps may call: plain data in, contracts out. They run
where this app is hosted (apps.common.remote), so this module imports only
contracts and the kernel; private modules are imported inside each body."""

import uuid

from apps.common.errors import ValidationFailed
from apps.common.remote import interface_function
from apps.inventory.contracts import StockAvailability, StockNotFound


def _availability(item) -> StockAvailability:
    return StockAvailability(
        product_id=item.product_id,
        on_hand=item.on_hand,
        reserved=item.reserved,
        available=item.on_hand - item.reserved,
    )


@interface_function(idempotent=True)
def stock_availability(
    *, product_ids: list[uuid.UUID | str]
) -> dict[uuid.UUID, StockAvailability]:
    """Current stock of the given products, keyed by id; unknown ids are absent.
    Raises ValidationFailed for an id that is not a UUID."""
    from apps.inventory import selectors

    try:
        ids = {uuid.UUID(str(pid)) for pid in product_ids}
    except ValueError:
        raise ValidationFailed({"product_ids": ["Each id must be a UUID."]}) from None
    return {
        item.product_id: _availability(item)
        for item in selectors.stock_item_list(product_ids=ids)
    }


@interface_function(idempotent=True)
def stock_receive(
    *, product_id: uuid.UUID | str, quantity: int, reference: str, actor: str
) -> bool:
    """Receive `quantity` of a product under `reference` (a delivery note) once:
    returns False, changing nothing, when that reference was received already.
    Raises StockNotFound, or ValidationFailed for a bad quantity or reference."""
    from apps.inventory import services
    from apps.inventory.errors import StockItemNotFound

    try:
        return services.stock_receive(
            product_id=uuid.UUID(str(product_id)),
            quantity=quantity,
            reference=reference,
            actor=actor,
        )
    except (ValueError, StockItemNotFound):
        raise StockNotFound(str(product_id)) from None
