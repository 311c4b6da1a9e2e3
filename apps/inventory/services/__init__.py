"""Writes of the inventory (private). One transaction on the inventory's
database each; events leave through the outbox after commit.

Concurrency: every change of a stock row is one conditional UPDATE that checks
the invariant (0 <= reserved <= on hand) in its WHERE clause, so a refused
change writes nothing and two writers can never both pass a stale check. A
transaction that changes several rows does so in product-id (primary-key)
order, so concurrent reservations queue behind each other instead of
deadlocking. The UPDATEs come last in their transaction: the row lock they
take is held until commit.
"""

from apps.inventory.services.reservations import (
    reservation_expire,
    reservation_release,
    reservation_return,
    reservation_sell,
    reservations_expire_due,
    stock_reserve,
)
from apps.inventory.services.stock import (
    MAX_QUANTITY,
    Kind,
    stock_adjust,
    stock_item_create,
    stock_receive,
)

__all__ = [
    "MAX_QUANTITY",
    "Kind",
    "reservation_expire",
    "reservation_release",
    "reservation_return",
    "reservation_sell",
    "reservations_expire_due",
    "stock_adjust",
    "stock_item_create",
    "stock_receive",
    "stock_reserve",
]
