"""Input and output shapes of the users API. Input serializers list only the
writable fields, so anything else in a request (is_staff, role, email on
PATCH, ...) is ignored and never reaches a service."""

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
from apps.users.models import Address, User
from apps.users.selectors import customer_stats


@example(
    name="A new customer",
    value={
        "email": "ada@example.com",
        "password": "try-it-pass-42",
        "first_name": "Ada",
        "last_name": "Lovelace",
    },
    request=True,
)
class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        max_length=128, write_only=True, trim_whitespace=False
    )
    first_name = serializers.CharField(
        max_length=150, required=False, default="", allow_blank=True
    )
    last_name = serializers.CharField(
        max_length=150, required=False, default="", allow_blank=True
    )


@example(
    name="New names",
    value={
        "first_name": "Ada",
        "last_name": "King",
        "phone": "+44 20 7946 0000",
    },
    request=True,
)
class ProfileInput(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.RegexField(
        r"^\+?[0-9 ()./-]{3,32}$",
        max_length=32,
        required=False,
        allow_blank=True,
        error_messages={"invalid": "Enter digits, spaces and + ( ) . / - only."},
    )


@example(
    name="The demo customer",
    value={"email": "customer@example.com", "password": "customer-demo-pass-1"},
    request=True,
)
class TokenObtainInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


@example(
    name="A refresh token",
    value={"refresh": "eyJhbGciOiJFZERTQSJ9.refresh.signature"},
    request=True,
)
class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)


@example(
    name="A new password",
    value={"old_password": "try-it-pass-42", "new_password": "another-pass-43"},
    request=True,
)
class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


@example(
    name="A token pair",
    value={
        "access": "eyJhbGciOiJFZERTQSJ9.access.signature",
        "refresh": "eyJhbGciOiJFZERTQSJ9.refresh.signature",
    },
    request=False,
)
class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class PublicKeyOutput(serializers.Serializer):
    """One Ed25519 public key as a JWK (RFC 8037)."""

    kty = serializers.CharField(help_text="OKP")
    crv = serializers.CharField(help_text="Ed25519")
    x = serializers.CharField(help_text="the public key, base64url")
    kid = serializers.CharField(help_text="RFC 7638 thumbprint; the token's kid")
    alg = serializers.CharField(help_text="EdDSA")
    use = serializers.CharField(help_text="sig")


@example(
    name="The published keys",
    value={
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
                "alg": "EdDSA",
                "use": "sig",
            }
        ]
    },
    request=False,
)
class JwksOutput(serializers.Serializer):
    keys = PublicKeyOutput(many=True)


class SpendOutput(serializers.Serializer):
    currency = serializers.CharField()
    # A sum over many orders: no fixed width.
    amount = serializers.DecimalField(max_digits=None, decimal_places=2)


class StatsOutput(serializers.Serializer):
    order_count = serializers.IntegerField()
    lifetime_spend = SpendOutput(many=True)


@example(
    name="A customer",
    value={
        "id": "16fd2706-8baf-433b-82eb-8c7fada847da",
        "email": "ada@example.com",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone": "",
        "role": "customer",
        "email_verified": False,
        "date_joined": "2026-01-15T10:00:00Z",
        "stats": {
            "order_count": 1,
            "lifetime_spend": [{"currency": "EUR", "amount": "59.80"}],
        },
    },
    request=False,
)
class ProfileOutput(serializers.ModelSerializer):
    role = serializers.CharField()
    email_verified = serializers.BooleanField()
    stats = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "phone",
            "role",
            "email_verified",
            "date_joined",
            "stats",
        ]
        read_only_fields = fields

    @extend_schema_field(StatsOutput)
    def get_stats(self, user: User) -> dict:
        return StatsOutput(customer_stats(user=user)).data


@example(
    name="An address",
    value={"email": "ada@example.com"},
    request=True,
)
class EmailInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


@example(
    name="Accepted",
    value={"detail": "If the address has an account, an e-mail is on its way."},
    request=False,
    status=202,
)
class AcceptedOutput(serializers.Serializer):
    detail = serializers.CharField()


@example(
    name="A verification link's token",
    value={"token": "eyJ1IjoiMTZmZDI3MDYifQ:1vQ3kA:signature"},
    request=True,
)
class TokenInput(serializers.Serializer):
    token = serializers.CharField(max_length=1024)


@example(
    name="A reset link's token",
    value={
        "token": "eyJ1IjoiMTZmZDI3MDYifQ:1vQ3kA:signature",
        "new_password": "another-pass-43",
    },
    request=True,
)
class PasswordResetConfirmInput(TokenInput):
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


@example(
    name="A new address",
    value={"new_email": "ada.king@example.com", "password": "try-it-pass-42"},
    request=True,
)
class EmailChangeInput(serializers.Serializer):
    new_email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


@example(
    name="The current password",
    value={"password": "try-it-pass-42"},
    request=True,
)
class PasswordInput(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class ExportProfileOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    email_verified_at = serializers.DateTimeField(allow_null=True)
    first_name = serializers.CharField(allow_blank=True)
    last_name = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    role = serializers.CharField(allow_blank=True)
    date_joined = serializers.DateTimeField()
    stats = StatsOutput()


class ExportAddressOutput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    line1 = serializers.CharField(allow_blank=True)
    line2 = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)
    postal_code = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_blank=True)


class ExportBookAddressOutput(ExportAddressOutput):
    is_default_shipping = serializers.BooleanField()
    is_default_billing = serializers.BooleanField()


class ExportOrderLineOutput(serializers.Serializer):
    product_id = serializers.UUIDField()
    sku = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class ExportOrderOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField(allow_blank=True)
    currency = serializers.CharField(allow_blank=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = ExportOrderLineOutput(many=True)
    created_at = serializers.DateTimeField()


class ExportPaymentOutput(serializers.Serializer):
    order_id = serializers.UUIDField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(allow_blank=True)
    status = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class ExportNotificationOutput(serializers.Serializer):
    kind = serializers.CharField(allow_blank=True)
    to_address = serializers.EmailField()
    subject = serializers.CharField(allow_blank=True)
    order_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)


_ORDER_ID = "0b8a3c1e-1111-4222-8333-444455556666"


@example(
    name="A customer's data",
    value={
        "format": "shop.personal-data.v1",
        "generated_at": "2026-02-01T09:00:00Z",
        "profile": {
            "id": "16fd2706-8baf-433b-82eb-8c7fada847da",
            "email": "ada@example.com",
            "email_verified_at": "2026-01-15T10:05:00Z",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phone": "",
            "role": "customer",
            "date_joined": "2026-01-15T10:00:00Z",
            "stats": {
                "order_count": 1,
                "lifetime_spend": [{"currency": "EUR", "amount": "59.80"}],
            },
        },
        "addresses": [
            {
                "name": "Ada Lovelace",
                "line1": "12 St James's Square",
                "line2": "",
                "city": "London",
                "postal_code": "SW1Y 4JH",
                "country": "GB",
            }
        ],
        "address_book": [
            {
                "name": "Ada Lovelace",
                "line1": "12 St James's Square",
                "line2": "",
                "city": "London",
                "postal_code": "SW1Y 4JH",
                "country": "GB",
                "is_default_shipping": True,
                "is_default_billing": True,
            }
        ],
        "orders": [
            {
                "id": _ORDER_ID,
                "status": "delivered",
                "currency": "EUR",
                "total": "59.80",
                "lines": [
                    {
                        "product_id": "7c1e1f7a-2b1d-4c53-9d3e-1f1d2a3b4c5d",
                        "sku": "MUG-1",
                        "name": "Mug",
                        "unit_price": "29.90",
                        "quantity": 2,
                        "line_total": "59.80",
                    }
                ],
                "created_at": "2026-01-20T12:00:00Z",
            }
        ],
        "payments": [
            {
                "order_id": _ORDER_ID,
                "amount": "59.80",
                "currency": "EUR",
                "status": "captured",
                "created_at": "2026-01-20T12:01:00Z",
            }
        ],
        "notifications": [
            {
                "kind": "paid",
                "to_address": "ada@example.com",
                "subject": "Thank you for your payment (0b8a3c1e)",
                "order_id": _ORDER_ID,
                "created_at": "2026-01-20T12:01:00Z",
                "sent_at": "2026-01-20T12:01:01Z",
            }
        ],
    },
    request=False,
)
class PersonalDataOutput(serializers.Serializer):
    format = serializers.CharField(allow_blank=True)
    generated_at = serializers.DateTimeField()
    profile = ExportProfileOutput()
    addresses = ExportAddressOutput(many=True)
    address_book = ExportBookAddressOutput(many=True)
    orders = ExportOrderOutput(many=True)
    payments = ExportPaymentOutput(many=True)
    notifications = ExportNotificationOutput(many=True)


ADDRESS_EXAMPLE = {
    "name": "Ada Lovelace",
    "line1": "1 Main St",
    "line2": "",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
    "is_default_shipping": True,
    "is_default_billing": True,
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Home", value=ADDRESS_EXAMPLE, request_only=True),
        OpenApiExample(
            "Home",
            value={"id": "5d1f0a3e-1c2b-4b8e-9f6a-2a7c1e0d9b44", **ADDRESS_EXAMPLE},
            response_only=True,
        ),
    ]
)
class AddressSerializer(serializers.ModelSerializer):
    postal_code = serializers.RegexField(
        POSTAL_CODE_PATTERN, error_messages={"invalid": POSTAL_CODE_INVALID}
    )
    country = serializers.CharField(min_length=2, max_length=2)

    class Meta:
        model = Address
        fields = [
            "id",
            "name",
            "line1",
            "line2",
            "city",
            "postal_code",
            "country",
            "is_default_shipping",
            "is_default_billing",
        ]
        read_only_fields = ["id"]

    def validate_country(self, value: str) -> str:
        return checked_country(value)
