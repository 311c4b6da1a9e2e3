from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from apps.common.countries import (
    POSTAL_CODE_INVALID,
    POSTAL_CODE_PATTERN,
    checked_country,
)
from apps.common.schema import example
from apps.orders.models import Order, OrderStatus, PaymentStatus
from apps.orders.services.placement import MAX_LINES, MAX_QUANTITY


class PlaceLineSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class ShippingAddressSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    city = serializers.CharField(max_length=100)
    postal_code = serializers.RegexField(
        POSTAL_CODE_PATTERN, error_messages={"invalid": POSTAL_CODE_INVALID}
    )
    country = serializers.CharField(min_length=2, max_length=2)

    def validate_country(self, value: str) -> str:
        return checked_country(value)


@example(
    name="Two of one product",
    value={
        "items": [
            {
                "product_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "quantity": 2,
            }
        ],
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "1 Main St",
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
        },
    },
    request=True,
)
class OrderPlaceSerializer(serializers.Serializer):
    """Only items and address are read; prices, totals, status or user sent by
    the client are ignored."""

    items = PlaceLineSerializer(many=True, min_length=1, max_length=MAX_LINES)
    shipping_address = ShippingAddressSerializer()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Pays", value={"payment_token": "tok_success"}, request_only=True
        ),
        OpenApiExample(
            "Declined (402)", value={"payment_token": "tok_declined"}, request_only=True
        ),
        OpenApiExample(
            "Gateway down (503)",
            value={"payment_token": "tok_error"},
            request_only=True,
        ),
    ]
)
class OrderPaySerializer(serializers.Serializer):
    payment_token = serializers.CharField(max_length=200)


@example(
    name="Shipped with DHL",
    value={"carrier": "DHL", "tracking_number": "JD0146000034"},
    request=True,
)
class OrderShipSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=100)
    tracking_number = serializers.CharField(max_length=100)


def _money(max_digits=14):
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=2, read_only=True
    )


class OrderListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    user = serializers.UUIDField(required=False)


# The response serializers declare their fields instead of deriving them from
# the models: a ModelSerializer rebuilds its fields from the model on every
# instance, which cost more than the rest of rendering a placed order.
class OrderLineSerializer(serializers.Serializer):
    product_id = serializers.UUIDField(read_only=True)
    sku = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    unit_price = _money(max_digits=12)
    quantity = serializers.IntegerField(read_only=True)
    line_total = _money()
    tax = _money()


class PaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    amount = _money()
    currency = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=PaymentStatus.choices, read_only=True)
    last_error = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ShipmentSerializer(serializers.Serializer):
    carrier = serializers.CharField(read_only=True)
    tracking_number = serializers.CharField(read_only=True)
    shipped_at = serializers.DateTimeField(read_only=True)
    delivered_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ShippingAddressOutSerializer(serializers.Serializer):
    name = serializers.CharField(source="shipping_name")
    line1 = serializers.CharField(source="shipping_line1")
    line2 = serializers.CharField(source="shipping_line2")
    city = serializers.CharField(source="shipping_city")
    postal_code = serializers.CharField(source="shipping_postal_code")
    country = serializers.CharField(source="shipping_country")


class BillingAddressOutSerializer(serializers.Serializer):
    name = serializers.CharField(source="billing_name")
    line1 = serializers.CharField(source="billing_line1")
    line2 = serializers.CharField(source="billing_line2")
    city = serializers.CharField(source="billing_city")
    postal_code = serializers.CharField(source="billing_postal_code")
    country = serializers.CharField(source="billing_country")


@example(
    name="A confirmed order",
    value={
        "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "user_id": "16fd2706-8baf-433b-82eb-8c7fada847da",
        "status": "confirmed",
        "status_reason": "",
        "email": "",
        "currency": "EUR",
        "subtotal": "59.80",
        "discount": "0.00",
        "shipping_price": "4.90",
        "tax": "10.33",
        "total": "64.70",
        "voucher_code": "",
        "shipping_method": "Standard",
        "item_count": 2,
        "lines": [
            {
                "product_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "sku": "LAMP-1",
                "name": "Desk lamp",
                "unit_price": "29.90",
                "quantity": 2,
                "line_total": "59.80",
                "tax": "9.55",
            }
        ],
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "1 Main St",
            "line2": "",
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
        },
        "billing_address": {
            "name": "Ada Lovelace",
            "line1": "1 Main St",
            "line2": "",
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
        },
        "reservation_expires_at": "2026-01-15T10:00:00Z",
        "payments": [],
        "shipment": None,
        "created_at": "2026-01-15T10:00:00Z",
        "updated_at": "2026-01-15T10:00:00Z",
    },
    request=False,
)
class OrderSerializer(serializers.Serializer):
    """An order with its lines, payments and shipment."""

    # Read by `selectors.order_get` or `order_list`, or just placed
    # (`Order.with_details`).
    id = serializers.UUIDField(read_only=True)
    user_id = serializers.UUIDField(read_only=True)
    status = serializers.ChoiceField(choices=OrderStatus.choices, read_only=True)
    status_reason = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True)
    subtotal = _money()
    discount = _money()
    shipping_price = _money()
    tax = _money()
    total = _money()
    voucher_code = serializers.CharField(read_only=True)
    shipping_method = serializers.CharField(read_only=True)
    item_count = serializers.SerializerMethodField()
    lines = OrderLineSerializer(source="line_rows", many=True, read_only=True)
    shipping_address = ShippingAddressOutSerializer(source="*", read_only=True)
    billing_address = BillingAddressOutSerializer(source="*", read_only=True)
    reservation_expires_at = serializers.SerializerMethodField()
    payments = PaymentSerializer(source="payment_rows", many=True, read_only=True)
    shipment = ShipmentSerializer(
        source="shipment_row", read_only=True, allow_null=True
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_reservation_expires_at(self, order: Order):
        # Only a confirmed order waits for its payment; later the hold is gone.
        if order.status != OrderStatus.CONFIRMED:
            return None
        return serializers.DateTimeField().to_representation(
            order.reservation_expires_at
        )

    def get_item_count(self, order: Order) -> int:
        return sum(line.quantity for line in order.line_rows)
