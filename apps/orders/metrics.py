"""The order saga's and the payments' Prometheus metrics."""

from prometheus_client import Counter, Histogram

ORDERS_PLACED = Counter("orders_placed_total", "Orders placed (status pending).")
SAGA_OUTCOMES = Counter(
    "orders_saga_outcomes_total",
    "Orders leaving `pending` or `confirmed` by the saga: confirmed (stock "
    "reserved), failed (stock refused), expired (unpaid in time).",
    ["outcome"],
)
PLACEMENT_TO_CONFIRMED = Histogram(
    "orders_placement_to_confirmed_seconds",
    "Time from placing an order to its confirmation (the stock reserved).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
PAYMENTS = Counter(
    "orders_payments_total",
    "Payment attempts by outcome: paid, declined, compensated (captured on an "
    "order that moved on, refunded), unavailable (gateway down or breaker open).",
    ["outcome"],
)
