"""Private reads of the users app."""

import uuid
from decimal import Decimal

from django.db.models import Count, Sum

from apps.users.models import Address, PaidOrder, User


def user_find(user_id: uuid.UUID | str) -> User | None:
    """The user with `user_id`, or None (also for a malformed id)."""
    try:
        key = uuid.UUID(str(user_id))
    except ValueError:
        return None
    return User.objects.filter(pk=key).first()


def address_list(*, user_id: uuid.UUID | str):
    """The user's address book, oldest first; empty for a malformed id."""
    try:
        key = uuid.UUID(str(user_id))
    except ValueError:
        return Address.objects.none()
    return Address.objects.filter(user_id=key)


def user_find_by_email(email: str) -> User | None:
    return User.objects.filter(email=User.objects.normalize_email(email)).first()


def customer_stats(*, user: User) -> dict:
    """Paid, not refunded orders: how many, and the spend per currency."""
    if user._state.adding:  # registration's stand-in for a taken address
        return {"order_count": 0, "lifetime_spend": []}
    rows = list(
        PaidOrder.objects.filter(
            user=user, paid_at__isnull=False, refunded_at__isnull=True
        )
        .values("currency")
        .annotate(orders=Count("order_id"), spend=Sum("amount"))
        .order_by("currency")
    )
    return {
        "order_count": sum(row["orders"] for row in rows),
        "lifetime_spend": [
            {"currency": row["currency"], "amount": row["spend"] or Decimal("0.00")}
            for row in rows
        ],
    }
