"""Input and output shapes of the users API. Input serializers list only the
writable fields, so anything else in a request (is_staff, role, email on
PATCH, ...) is ignored and never reaches a service."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.users.models import User
from apps.users.selectors import customer_stats


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


class TokenObtainInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class SpendOutput(serializers.Serializer):
    currency = serializers.CharField()
    # A sum over many orders: no fixed width.
    amount = serializers.DecimalField(max_digits=None, decimal_places=2)


class StatsOutput(serializers.Serializer):
    order_count = serializers.IntegerField()
    lifetime_spend = SpendOutput(many=True)


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
