"""Domain errors of the orders app, mapped to problem details by the kernel."""

from apps.common.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    ServiceUnavailable,
    UnprocessableEntity,
)


class OrderDoesNotExist(NotFound):
    code = "order_not_found"
    title = "Order not found"


class IllegalTransition(Conflict):
    code = "illegal_transition"
    title = "Illegal order state transition"

    def __init__(self, *, status: str, action: str):
        super().__init__(
            f"Cannot {action} an order that is {status}.",
            extra={"current_status": status},
        )


class UnpaidHoldLimit(Conflict):
    """Stock held in unpaid orders is stock nobody else can buy."""

    code = "unpaid_hold_limit"
    title = "Too many units held in unpaid orders"

    def __init__(self, *, product_ids: list[str], limit: int):
        super().__init__(
            f"At most {limit} units of a product may wait in unpaid orders; "
            "pay or cancel those first.",
            extra={"product_ids": product_ids, "limit": limit},
        )


class PaymentDeclined(ApplicationError):
    status_code = 402
    code = "payment_declined"
    title = "Payment declined"


class PaymentUnavailable(ServiceUnavailable):
    code = "payment_gateway_unavailable"
    title = "Payment provider unavailable"


class IdempotencyKeyReused(UnprocessableEntity):
    code = "idempotency_key_reused"
    title = "Idempotency key reused with a different request"


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency_key_in_flight"
    title = "A request with this idempotency key is still being processed"


class RefundInProgress(Conflict):
    code = "refund_in_progress"
    title = "A refund of this order is in progress"


class PaymentInProgress(Conflict):
    code = "payment_in_progress"
    title = "A payment of this order is in progress"


class ReservationExpired(Conflict):
    code = "reservation_expired"
    title = "The order's stock reservation has expired"


class ShippingMethodDoesNotExist(NotFound):
    code = "shipping_method_not_found"
    title = "Shipping method not found"


class CartDoesNotExist(NotFound):
    code = "cart_not_found"
    title = "Cart not found"


class CartChanged(Conflict):
    code = "cart_changed"
    title = "The cart changed during checkout"


class VoucherRefused(ApplicationError):
    """A voucher that cannot be used; `code` says why, stably (voucher_unknown,
    voucher_expired, ...), and the problem names the request field."""

    code = "voucher_refused"
    title = "Voucher refused"

    def __init__(self, *, code: str, field: str = "voucher", detail: str = ""):
        self.code = code
        self.field = field
        message = detail or VOUCHER_REFUSALS.get(code, self.title)
        super().__init__(message, extra={"errors": {field: [message]}})


class TaxRateNotFound(NotFound):
    code = "tax_rate_not_found"
    title = "Tax rate not found"


class VoucherNotFound(NotFound):
    code = "voucher_not_found"
    title = "Voucher not found"


class VoucherInUse(Conflict):
    code = "voucher_in_use"
    title = "The voucher has been redeemed"


# The stable refusal codes of a voucher and what they tell the shopper.
VOUCHER_REFUSALS = {
    "voucher_unknown": "No voucher with this code.",
    "voucher_inactive": "This voucher is not active.",
    "voucher_not_started": "This voucher is not valid yet.",
    "voucher_expired": "This voucher has expired.",
    "voucher_used_up": "This voucher has been used up.",
    "voucher_customer_limit": "You have used this voucher as often as allowed.",
    "voucher_minimum_spend": "The order does not reach this voucher's minimum spend.",
    "voucher_customer_required": "This voucher needs a customer or an e-mail address.",
}
