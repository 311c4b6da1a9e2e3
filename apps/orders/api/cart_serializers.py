"""Request and response bodies of the cart, its checkout and shipping methods."""

from decimal import Decimal

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from apps.common.countries import ISO_COUNTRIES, checked_country
from apps.common.schema import example
from apps.orders.api.serializers import OrderSerializer, ShippingAddressSerializer
from apps.orders.models import ShippingMethod
from apps.orders.services.cart import LINE_STATUSES
from apps.orders.services.placement import MAX_QUANTITY
from apps.orders.services.shipping import SHIPPING_FIELDS

PRODUCT = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
METHOD = "9b2f1c7e-3f0a-4d7e-8a51-0c3f5f0e2d11"
ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


@example(
    name="Two of one product",
    value={"product_id": PRODUCT, "quantity": 2},
    request=True,
)
class CartLineAddSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


@example(name="Three of it", value={"quantity": 3}, request=True)
class CartLineSetSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class CartQuerySerializer(serializers.Serializer):
    country = serializers.CharField(
        max_length=2,
        required=False,
        default="",
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2: the tax of that country.",
    )
    voucher = serializers.CharField(
        max_length=64, required=False, default="", allow_blank=True
    )

    def validate_country(self, value: str) -> str:
        return checked_country(value) if value else ""


class ShippingQuerySerializer(serializers.Serializer):
    country = serializers.CharField(min_length=2, max_length=2)

    def validate_country(self, value: str) -> str:
        return checked_country(value)


class CartLineOutSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(14, 2, allow_null=True)
    line_total = serializers.DecimalField(14, 2, allow_null=True)
    tax = serializers.DecimalField(14, 2, allow_null=True)
    in_stock = serializers.BooleanField()
    status = serializers.ChoiceField(
        choices=LINE_STATUSES,
        help_text="Why the line cannot be bought; any but `ok` blocks the checkout.",
    )


class TotalsOutSerializer(serializers.Serializer):
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(14, 2)
    discount = serializers.DecimalField(14, 2)
    shipping = serializers.DecimalField(14, 2)
    tax = serializers.DecimalField(14, 2)
    total = serializers.DecimalField(14, 2)
    voucher_code = serializers.CharField(allow_null=True)
    voucher_refusal = serializers.CharField(allow_null=True)


CART_EXAMPLE = {
    "id": "0b7c3f52-4a39-4d5e-9a0f-6f1f9f0c8a21",
    "lines": [
        {
            "product_id": PRODUCT,
            "sku": "LAMP-1",
            "name": "Desk lamp",
            "quantity": 2,
            "unit_price": "29.90",
            "line_total": "59.80",
            "tax": "9.55",
            "in_stock": True,
            "status": "ok",
        }
    ],
    "totals": {
        "currency": "EUR",
        "subtotal": "59.80",
        "discount": "0.00",
        "shipping": "0.00",
        "tax": "9.55",
        "total": "59.80",
        "voucher_code": None,
        "voucher_refusal": None,
    },
    "blockers": [],
    "updated_at": "2026-01-15T10:00:00Z",
}


@example(name="A cart", value=CART_EXAMPLE, request=False)
class CartSerializer(serializers.Serializer):
    """A cart read now: live prices, stock and totals (without shipping)."""

    id = serializers.UUIDField()
    lines = CartLineOutSerializer(many=True)
    totals = TotalsOutSerializer()
    blockers = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the cart cannot be checked out (`cart_empty` or a line "
        "status); empty when it can.",
    )
    updated_at = serializers.DateTimeField()


@example(
    name="A new guest cart",
    value={"token": "Vq3...(43 characters)", "cart": {**CART_EXAMPLE, "lines": []}},
    request=False,
)
class GuestCartSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it as the `Cart-Token` header; shown only here."
    )
    cart = CartSerializer()


@example(
    name="Standard to Germany",
    value=[{"id": METHOD, "name": "Standard", "price": "4.90", "currency": "EUR"}],
    request=False,
)
class ShippingOptionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    price = serializers.DecimalField(12, 2)
    currency = serializers.CharField()


@example(
    name="A guest, with a voucher",
    value={
        "email": "ada@example.com",
        "shipping_address": ADDRESS,
        "shipping_method": METHOD,
        "voucher": "WELCOME10",
    },
    request=True,
)
class CheckoutSerializer(serializers.Serializer):
    """`email` is required of a guest and ignored for a customer;
    `billing_address` defaults to the shipping address."""

    email = serializers.EmailField(required=False)
    shipping_address = ShippingAddressSerializer()
    billing_address = ShippingAddressSerializer(required=False)
    shipping_method = serializers.UUIDField()
    voucher = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )


class CheckoutOrderSerializer(OrderSerializer):
    """The order; for a guest also the link that shows it (kept by the guest:
    it is their only way back to the order)."""

    guest_url = serializers.SerializerMethodField()

    def get_guest_url(self, order) -> str | None:
        return self.context.get("guest_url")


class BandSerializer(serializers.Serializer):
    up_to = serializers.DecimalField(12, 2, min_value=Decimal("0"))
    price = serializers.DecimalField(12, 2, min_value=Decimal("0"))


METHOD_EXAMPLE = {
    "name": "Standard",
    "countries": ["AT", "DE"],
    "currency": "EUR",
    "price": "6.90",
    "bands": [{"up_to": "50.00", "price": "4.90"}],
    "free_above": "100.00",
    "active": True,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Standard, free above 100", value=METHOD_EXAMPLE, request_only=True
        ),
        OpenApiExample(
            "Standard, free above 100",
            value={"id": METHOD, **METHOD_EXAMPLE},
            response_only=True,
        ),
    ]
)
class ShippingMethodSerializer(serializers.ModelSerializer):
    countries = serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2),
        min_length=1,
        max_length=len(ISO_COUNTRIES),
    )
    bands = BandSerializer(many=True, required=False, max_length=50)
    price = serializers.DecimalField(12, 2, min_value=Decimal("0"))
    free_above = serializers.DecimalField(
        12, 2, min_value=Decimal("0"), required=False, allow_null=True
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$")

    class Meta:
        model = ShippingMethod
        fields = ["id", *SHIPPING_FIELDS]
        read_only_fields = ["id"]
        # Uniqueness is the service's check (one write path).
        extra_kwargs = {"name": {"validators": []}}

    def validate_countries(self, value: list[str]) -> list[str]:
        return sorted({checked_country(code) for code in value})

    def validate_bands(self, value: list[dict]) -> list[dict]:
        return [
            {"up_to": str(band["up_to"]), "price": str(band["price"])} for band in value
        ]
