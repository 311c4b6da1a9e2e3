"""A customer's erasure as the orders app carries it out: orders stay for
accounting, their personal fields go."""

import uuid

from apps.common.db import atomic_for
from apps.orders.models import IdempotencyRecord, Order

# The shipping address without the country: enough for tax records, nothing
# that finds a person.
ERASED_ADDRESS = {
    "shipping_name": "",
    "shipping_line1": "",
    "shipping_line2": "",
    "shipping_city": "",
    "shipping_postal_code": "",
}


def customer_data_erase(*, user_id: uuid.UUID) -> int:
    """Blank the customer's shipping addresses and drop their stored request
    replays (which repeat them); returns how many orders. Repeating it
    changes nothing."""
    with atomic_for(Order):
        erased = Order.objects.filter(user_id=user_id).update(**ERASED_ADDRESS)
        IdempotencyRecord.objects.filter(user_id=user_id).delete()
    return erased
