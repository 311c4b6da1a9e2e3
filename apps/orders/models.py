"""Orders, their lines (a snapshot of what was sold), payments, shipments and
idempotency records. Private to the orders app; other apps hold plain UUIDs."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
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
    # None for a guest's order, which has `email` instead.
    user_id = models.UUIDField(db_index=True, null=True, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    shipping_price = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tax = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    voucher_code = models.CharField(max_length=64, blank=True)
    shipping_method = models.CharField(max_length=100, blank=True)
    shipping_name = models.CharField(max_length=200)
    shipping_line1 = models.CharField(max_length=200)
    shipping_line2 = models.CharField(max_length=200, blank=True)
    shipping_city = models.CharField(max_length=100)
    shipping_postal_code = models.CharField(max_length=20)
    shipping_country = models.CharField(max_length=2)
    billing_name = models.CharField(max_length=200, blank=True)
    billing_line1 = models.CharField(max_length=200, blank=True)
    billing_line2 = models.CharField(max_length=200, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    billing_country = models.CharField(max_length=2, blank=True)
    reservation_id = models.UUIDField(null=True, blank=True)
    reservation_expires_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The unpaid hold read at every placement (selectors.unpaid_units_held)
            # reads a customer's or a guest's open orders only, however many
            # closed ones they have.
            models.Index(
                fields=["user_id"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="orders_unpaid_by_user",
            ),
            models.Index(
                fields=["email"],
                condition=Q(status__in=["pending", "confirmed"]) & ~Q(email=""),
                name="orders_unpaid_by_email",
            ),
        ]
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
    tax = models.DecimalField(max_digits=14, decimal_places=2, default=0)

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


# --- tax and vouchers (docs/orders.md "Tax and vouchers") ------------------------


class TaxRate(models.Model):
    """A country's VAT rates in percent; a product's tax class picks one."""

    country = models.CharField(max_length=2, unique=True)
    standard_rate = models.DecimalField(max_digits=5, decimal_places=2)
    reduced_rate = models.DecimalField(max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(
                condition=Q(standard_rate__gte=0, standard_rate__lte=100)
                & Q(reduced_rate__gte=0, reduced_rate__lte=100),
                name="orders_taxrate_rates_in_range",
            )
        ]

    def __str__(self):
        return f"{self.country} {self.standard_rate}% / {self.reduced_rate}%"


class VoucherKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    FIXED = "fixed", "Fixed amount"


class VoucherTarget(models.TextChoices):
    ORDER = "order", "The goods"
    SHIPPING = "shipping", "Shipping"


class Voucher(models.Model):
    """A discount code. `uses` counts live redemptions; the conditional UPDATE
    `uses < usage_limit` is the judge between simultaneous checkouts."""

    code = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=VoucherKind.choices)
    target = models.CharField(
        max_length=16, choices=VoucherTarget.choices, default=VoucherTarget.ORDER
    )
    value = models.DecimalField(max_digits=12, decimal_places=2)
    minimum_spend = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True)
    usage_limit_per_customer = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                Lower("code"), name="orders_voucher_code_ci_unique"
            ),
            models.CheckConstraint(
                condition=Q(value__gt=0) & Q(minimum_spend__gte=0),
                name="orders_voucher_amounts_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100),
                name="orders_voucher_percentage_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=F("valid_from")),
                name="orders_voucher_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(uses__lte=F("usage_limit")),
                name="orders_voucher_uses_within_limit",
            ),
        ]

    def __str__(self):
        return self.code


class RedemptionState(models.TextChoices):
    REDEEMED = "redeemed", "Redeemed"
    RELEASED = "released", "Released"


class VoucherRedemption(models.Model):
    """One order's use of a voucher; released when the order fails or is
    cancelled. `order_id` is the orders app's own order (kept as a plain id so
    the checkout may redeem before or after writing the order row)."""

    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, related_name="redemptions"
    )
    order_id = models.UUIDField(unique=True)
    customer_id = models.UUIDField(null=True, blank=True, db_index=True)
    email = models.CharField(max_length=254, blank=True, db_index=True)
    state = models.CharField(
        max_length=16, choices=RedemptionState.choices, default=RedemptionState.REDEEMED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["voucher", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer_id__isnull=False) | ~Q(email=""),
                name="orders_redemption_has_customer_or_email",
            )
        ]

    def __str__(self):
        return f"{self.voucher_id} for order {self.order_id} ({self.state})"


# --- carts and shipping (docs/orders.md "Carts and checkout") -------------------


class Cart(models.Model):
    """A customer's open cart (one per customer) or a guest's, found by the
    SHA-256 of its token; the token itself is never stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user_id = models.UUIDField(null=True, blank=True, unique=True)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Touched by every change; carts untouched for CART_TTL expire.
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user_id__isnull=False) | Q(token_hash__isnull=False),
                name="orders_cart_has_owner",
            )
        ]

    def __str__(self):
        return f"Cart {self.id}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product_id = models.UUIDField()
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "product_id"], name="orders_cartline_one_per_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=1000),
                name="orders_cartline_quantity_range",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class ShippingMethod(models.Model):
    """A way to ship: served countries, a flat price or subtotal bands
    ([{"up_to": "50.00", "price": "4.90"}, ...]: the first band whose `up_to`
    is at least the subtotal, the flat price above the last), free from
    `free_above` on."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True)
    countries = models.JSONField(default=list)
    currency = models.CharField(max_length=3)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    bands = models.JSONField(default=list, blank=True)
    free_above = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="orders_shipping_price_not_negative"
            )
        ]

    def __str__(self):
        return self.name
