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
