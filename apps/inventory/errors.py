"""Domain errors of the inventory (private; mapped to problem details by the kernel)."""

from rest_framework import status

from apps.common.errors import ApplicationError, Conflict, NotFound


class StockItemNotFound(NotFound):
    code = "stock_item_not_found"
    title = "No stock item for this product"


class StockBelowReserved(Conflict):
    code = "stock_below_reserved"
    title = "On hand cannot go below reserved"


class StockInvariantBroken(ApplicationError):
    """A change that should always apply did not: the data is inconsistent."""

    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    code = "stock_invariant_broken"
    title = "Stock data is inconsistent"
