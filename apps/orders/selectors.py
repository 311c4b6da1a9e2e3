"""Reads of the orders app (private)."""

import uuid

from django.db.models import Prefetch, QuerySet, Sum

from apps.orders.errors import OrderDoesNotExist
from apps.orders.models import Order, OrderLine, OrderStatus


def _with_details(qs: QuerySet[Order]) -> QuerySet[Order]:
    """Orders with the rows they are shown with, as the attributes a placement
    fills too (`Order.with_details`): a new order is answered from memory."""
    return qs.prefetch_related(
        Prefetch("lines", to_attr="line_rows"),
        Prefetch("payments", to_attr="payment_rows"),
        Prefetch("shipment", to_attr="shipment_row"),
    )


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


def unpaid_units_held(
    *, user_id: uuid.UUID, product_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Units of each product the customer holds in orders not yet paid."""
    rows = (
        OrderLine.objects.filter(
            order__user_id=user_id,
            order__status__in=[OrderStatus.PENDING, OrderStatus.CONFIRMED],
            product_id__in=product_ids,
        )
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    return {row["product_id"]: row["units"] for row in rows}
