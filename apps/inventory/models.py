"""Stock, reservations and the stock ledger (private to the inventory)."""

import uuid

from django.db import models


class StockItem(models.Model):
    """The stock of one catalog product. `product_id` is the catalog's UUID (no
    foreign key across apps) and the primary key, so "lock in primary-key
    order" means "in product-id order"."""

    product_id = models.UUIDField(primary_key=True)
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    # Grows with every change; published in StockLevelChanged.
    version = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0), name="inventory_reserved_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=models.F("reserved")),
                name="inventory_on_hand_gte_reserved",
            ),
        ]

    def __str__(self):
        return f"{self.product_id}: {self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    """One order's hold on stock; all of its lines or none."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        FAILED = "failed", "Failed"
        RELEASED = "released", "Released"
        EXPIRED = "expired", "Expired"
        SOLD = "sold", "Sold"
        RETURNED = "returned", "Returned"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order_id = models.UUIDField(unique=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="inventory_reservation_due",
                condition=models.Q(status="active"),
            )
        ]

    def __str__(self):
        return f"reservation of order {self.order_id} ({self.status})"


class ReservationLine(models.Model):
    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="lines"
    )
    product_id = models.UUIDField()
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["product_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reservation", "product_id"], name="inventory_line_once"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1),
                name="inventory_line_quantity_gte_1",
            ),
        ]
        indexes = [models.Index(fields=["product_id"], name="inventory_line_product")]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the stock ledger is append-only")

    def delete(self):
        raise TypeError("the stock ledger is append-only")


class StockMovement(models.Model):
    """The append-only ledger: on hand (and reserved) of an item always equal
    the sums of its movements' deltas."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        ADJUSTMENT = "adjustment", "Adjustment"
        RESERVATION = "reservation", "Reservation"
        RELEASE = "release", "Release"
        SALE = "sale", "Sale"
        RETURN = "return", "Return"

    stock_item = models.ForeignKey(
        StockItem, on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    on_hand_delta = models.IntegerField()
    reserved_delta = models.IntegerField()
    # An order id, a reservation id or a staff reason.
    reference = models.CharField(max_length=200)
    # Who: "user:<id>", "event:<event type>" or "system:<job>".
    actor = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.kind} {self.stock_item_id} {self.on_hand_delta:+}/{self.reserved_delta:+}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("the stock ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the stock ledger is append-only")
