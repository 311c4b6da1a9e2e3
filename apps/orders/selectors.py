"""Reads of the orders app (private)."""

import uuid

from django.db.models import QuerySet

from apps.orders.errors import OrderDoesNotExist
from apps.orders.models import Order


def _with_details(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("shipment").prefetch_related("lines", "payments")


def order_list(
    *,
    user_id: uuid.UUID,
    is_staff: bool,
    status: str | None = None,
    for_user: uuid.UUID | None = None,
) -> QuerySet[Order]:
    """Customers see their own orders; staff see all and may filter by user."""
    qs = Order.objects.all()
    if not is_staff:
        qs = qs.filter(user_id=user_id)
    elif for_user is not None:
        qs = qs.filter(user_id=for_user)
    if status:
        qs = qs.filter(status=status)
    return _with_details(qs)


def order_get(
    *, order_id: uuid.UUID, user_id: uuid.UUID | None = None, is_staff: bool = True
) -> Order:
    """The order; another user's order is indistinguishable from a missing one."""
    qs = Order.objects.filter(pk=order_id)
    if not is_staff:
        qs = qs.filter(user_id=user_id)
    order = _with_details(qs).first()
    if order is None:
        raise OrderDoesNotExist(f"Order {order_id} not found.")
    return order
