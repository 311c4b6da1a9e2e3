import unicodedata
import uuid

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    STAFF = "staff", "Staff"


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        """The one form an address is stored, looked up and throttled under:
        Unicode-compatibility normalized and case folded, so look-alikes such
        as `cu\u017ftomer@` (long s) are the same address as `customer@`."""
        folded = unicodedata.normalize("NFKC", (email or "").strip()).casefold()
        return unicodedata.normalize("NFKC", folded)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        # Exact on the normal form: PostgreSQL's case-insensitive match folds
        # differently (UPPER('\u017f') = 'S') from the form the throttle counts.
        return self.get(email=self.normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address (case-insensitively unique)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised when every token issued so far must end (a new password); tokens
    # carry the version they were issued under.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    # Set when the owner of the address followed a verification link (or a
    # password reset link, which proves the same).
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="users_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    @property
    def role(self) -> str:
        return Role.STAFF if self.is_staff else Role.CUSTOMER

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class PaidOrder(models.Model):
    """Read model of the customer's paid orders, kept from the orders events.

    One row per order, keyed by the order id, so paid and refunded events may
    arrive in any order and any number of times without skewing the stats.
    """

    order_id = models.UUIDField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="paid_orders")
    amount = models.DecimalField(
        max_digits=14, decimal_places=2
    )  # as wide as an order total
    currency = models.CharField(max_length=3)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "refunded_at"])]

    def __str__(self):
        return f"{self.order_id} ({self.amount} {self.currency})"


class CustomerEmail(models.Model):
    """An e-mail to a customer about an order or their account, written in the
    transaction that caused it and sent after commit; one that could not be
    sent is retried by the `users.send_emails` job."""

    # None for an e-mail about a guest's order (no account; `to_address` only).
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    order_id = models.UUIDField(null=True, blank=True)
    kind = models.CharField(max_length=20)
    to_address = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    html = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a sender may (re)try: pushed ahead while one is sending (a lease),
    # then by the back-off after a failure.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="users_customeremail_unsent",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.kind} e-mail to {self.to_address}"


class Address(models.Model):
    """An entry of a customer's address book; at most one default for shipping
    and one for billing. Orders keep copies, never a reference."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=200)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2)
    is_default_shipping = models.BooleanField(default=False)
    is_default_billing = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_shipping=True),
                name="users_address_one_default_shipping",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default_billing=True),
                name="users_address_one_default_billing",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.city} ({self.country})"
