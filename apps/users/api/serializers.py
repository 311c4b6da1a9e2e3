"""Input and output shapes of the users API. Input serializers list only the
writable fields, so anything else in a request (is_staff, role, email on
PATCH, ...) is ignored and never reaches a service."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.common.schema import example
from apps.users.models import User
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
            "date_joined",
            "stats",
        ]
        read_only_fields = fields

    @extend_schema_field(StatsOutput)
    def get_stats(self, user: User) -> dict:
        return StatsOutput(customer_stats(user=user)).data
