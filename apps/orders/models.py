"""Orders, their lines (a snapshot of what was sold), payments, shipments and
idempotency records. Private to the orders app; other apps hold plain UUIDs."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    PAID = "paid", "Paid"
    REFUNDED = "refunded", "Refunded"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField(db_index=True)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_name = models.CharField(max_length=200)
    shipping_line1 = models.CharField(max_length=200)
    shipping_line2 = models.CharField(max_length=200, blank=True)
    shipping_city = models.CharField(max_length=100)
    shipping_postal_code = models.CharField(max_length=20)
    shipping_country = models.CharField(max_length=2)
    reservation_id = models.UUIDField(null=True, blank=True)
    reservation_expires_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0), name="orders_order_total_not_negative"
            )
        ]

    def __str__(self):
        return f"Order {self.id} ({self.status})"

    def with_details(self, *, lines, payments=(), shipment=None) -> "Order":
        """Attach the rows the order is shown with, in the attributes the
        selectors prefetch into (`line_rows`, `payment_rows`, `shipment_row`)."""
        self.line_rows = list(lines)
        self.payment_rows = list(payments)
        self.shipment_row = shipment
        return self


class OrderLine(models.Model):
    """What was sold, at the price, name and SKU of the moment of placement."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product_id = models.UUIDField()
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product_id"], name="orders_line_one_per_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=1000),
                name="orders_line_quantity_range",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.sku}"


class PaymentStatus(models.TextChoices):
    # The row exists before the gateway is called: it is the recovery point.
    PROCESSING = "processing", "Processing"
    CAPTURED = "captured", "Captured"
    DECLINED = "declined", "Declined"
    # The gateway has no charge under the attempt's key (found by the settle job).
    FAILED = "failed", "Failed"
    # Set before the gateway refund is asked for: the order cannot ship meanwhile.
    REFUNDING = "refunding", "Refunding"
    REFUNDED = "refunded", "Refunded"


# A refund was asked of the gateway (it may have gone through) for a payment
# in these states: its order must not ship, and a paid one is finished.
REFUND_STARTED = (PaymentStatus.REFUNDING, PaymentStatus.REFUNDED)


class Payment(models.Model):
    """One payment attempt; `gateway_key` is its idempotency key at the gateway."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PROCESSING
    )
    gateway_key = models.CharField(max_length=100, unique=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # At most one attempt in flight and one capture per order.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="processing"),
                name="orders_payment_one_processing",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=["captured", "refunding", "refunded"]),
                name="orders_payment_one_capture",
            ),
        ]

    def __str__(self):
        return f"Payment {self.id} {self.amount} {self.currency} ({self.status})"


class Shipment(models.Model):
    order = models.OneToOneField(
        Order, on_delete=models.CASCADE, related_name="shipment"
    )
    carrier = models.CharField(max_length=100)
    tracking_number = models.CharField(max_length=100)
    shipped_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.carrier} {self.tracking_number}"


class IdempotencyRecord(models.Model):
    """A request made with an Idempotency-Key, and its stored response.

    The unique (user_id, key) constraint is the judge between simultaneous
    requests: exactly one insert wins, the others see its row."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        COMPLETED = "completed", "Completed"

    user_id = models.UUIDField()
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(
        max_length=20, choices=State.choices, default=State.IN_FLIGHT
    )
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "key"], name="orders_idempotency_key_per_user"
            )
        ]

    def __str__(self):
        return f"{self.key} ({self.state})"
