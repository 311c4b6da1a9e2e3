"""Public functions other apps may call: plain data in, contracts out. They run
where this app is hosted (apps.common.remote), so this module imports only
contracts and the kernel; private modules are imported inside each body."""

import re
import uuid

from apps.common.errors import ValidationFailed
from apps.common.remote import interface_function
from apps.orders.contracts import (
    CustomerOrderData,
    OrderLineSummary,
    OrderNotFound,
    OrderSummary,
    PaymentData,
    ShippingAddressData,
)


def _summary(order) -> OrderSummary:
    return OrderSummary(
        id=order.id,
        user_id=order.user_id,
        status=order.status,
        currency=order.currency,
        total=order.total,
        lines=tuple(
            OrderLineSummary(
                product_id=line.product_id,
                sku=line.sku,
                name=line.name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
            )
            for line in order.line_rows
        ),
        created_at=order.created_at,
    )


@interface_function(idempotent=True)
def order_get(*, order_id: uuid.UUID | str) -> OrderSummary:
    """The order with `order_id`; raises OrderNotFound."""
    from apps.orders import selectors
    from apps.orders.errors import OrderDoesNotExist

    try:
        order_uuid = uuid.UUID(str(order_id))
        return _summary(selectors.order_get(order_id=order_uuid))
    except (ValueError, OrderDoesNotExist):
        raise OrderNotFound(str(order_id)) from None


@interface_function(idempotent=True)
def order_list(*, user_id: uuid.UUID | str) -> list[OrderSummary]:
    """Every order of the user, newest first."""
    from apps.orders import selectors

    orders = selectors.order_list(user_id=uuid.UUID(str(user_id)), is_staff=False)
    return [_summary(order) for order in orders]


@interface_function(idempotent=True)
def customer_data(*, user_id: uuid.UUID | str) -> CustomerOrderData:
    """Everything this app keeps about the customer (a data export): orders,
    shipping addresses and payments, oldest first."""
    from apps.orders import selectors

    orders = list(
        reversed(selectors.order_list(user_id=uuid.UUID(str(user_id)), is_staff=False))
    )
    addresses = {
        ShippingAddressData(
            **{name: getattr(order, f"shipping_{name}") for name in ADDRESS_FIELDS}
        ): None
        for order in orders
    }
    return CustomerOrderData(
        orders=tuple(_summary(order) for order in orders),
        addresses=tuple(addresses),
        payments=tuple(
            PaymentData(
                order_id=order.id,
                amount=payment.amount,
                currency=payment.currency,
                status=payment.status,
                created_at=payment.created_at,
            )
            for order in orders
            for payment in order.payment_rows
        ),
    )


@interface_function(idempotent=True)
def guest_order_link(*, order_id: uuid.UUID | str) -> str:
    """The link that opens a guest's order (GUEST_ORDER_URL with the order's
    id and token), for the e-mails sent to the guest; it opens nothing for a
    customer's order."""
    from django.conf import settings

    from apps.orders.services.guest import guest_token

    order_uuid = uuid.UUID(str(order_id))
    token = guest_token(order_id=order_uuid)
    return settings.GUEST_ORDER_URL.format(order_id=order_uuid, token=token)


@interface_function(idempotent=False)
def order_place(
    *,
    user_id: uuid.UUID | str,
    items: list[dict[str, str | int]],
    address: dict[str, str],
) -> OrderSummary:
    """Place an order priced from the catalog, as the checkout does. `items`:
    {"product_id", "quantity"} each; `address`: name, line1, line2 (optional),
    city, postal_code, country. Raises ValidationFailed."""
    from apps.orders.services import placement

    order = placement.order_place(
        user_id=uuid.UUID(str(user_id)),
        items=_requested_lines(items),
        address=_shipping_address(address),
    )
    return _summary(order)


def _requested_lines(items: list[dict]) -> list:
    from apps.orders.services import placement

    try:
        lines = [
            placement.RequestedLine(
                product_id=uuid.UUID(str(item["product_id"])), quantity=item["quantity"]
            )
            for item in items
        ]
    except (KeyError, TypeError, ValueError):
        lines = None
    if lines is None or not all(_is_count(line.quantity) for line in lines):
        raise ValidationFailed(
            {"items": ["Each item needs a product_id (a UUID) and a quantity >= 1."]}
        )
    return lines


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


ADDRESS_FIELDS = ("name", "line1", "line2", "city", "postal_code", "country")


def _shipping_address(address: dict):
    """Checked against the order's shipping columns, which set each limit."""
    from apps.common.countries import (
        COUNTRY_INVALID,
        POSTAL_CODE_INVALID,
        POSTAL_CODE_PATTERN,
        country_code,
    )
    from apps.orders.models import Order
    from apps.orders.services import placement

    errors = {name: ["Unknown field."] for name in set(address) - set(ADDRESS_FIELDS)}
    for name in ADDRESS_FIELDS:
        value = address.get(name, "")
        column = Order._meta.get_field(f"shipping_{name}")
        if not isinstance(value, str):
            errors[name] = ["A string is required."]
        elif not value.strip() and not column.blank:
            errors[name] = ["This field is required."]
        elif len(value.strip()) > column.max_length:
            errors[name] = [f"At most {column.max_length} characters."]
    if "country" not in errors and country_code(address["country"]) is None:
        errors["country"] = [COUNTRY_INVALID]
    postal_code = address.get("postal_code", "")
    if "postal_code" not in errors and not re.fullmatch(
        POSTAL_CODE_PATTERN, postal_code.strip()
    ):
        errors["postal_code"] = [POSTAL_CODE_INVALID]
    if errors:
        raise ValidationFailed({"address": errors})
    fields = {name: address.get(name, "").strip() for name in ADDRESS_FIELDS}
    return placement.ShippingAddress(**{**fields, "country": fields["country"].upper()})
