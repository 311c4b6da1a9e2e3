"""Input and output shapes of the staff API for tax rates and vouchers. Shapes
only: the rules that span fields live in services/pricing_staff.py."""

from decimal import Decimal

from rest_framework import serializers

from apps.common.schema import example
from apps.orders.models import TaxRate, Voucher, VoucherKind, VoucherTarget
from apps.orders.services.pricing_staff import VOUCHER_FIELDS

RATE = {
    "max_digits": 5,
    "decimal_places": 2,
    "min_value": Decimal("0"),
    "max_value": Decimal("100"),
}
AMOUNT = {"max_digits": 12, "decimal_places": 2}
# A positive integer column's range on every database.
LIMIT = {"min_value": 1, "max_value": 2_147_483_647}


@example(
    name="German VAT",
    value={
        "country": "DE",
        "standard_rate": "19.00",
        "reduced_rate": "7.00",
        "updated_at": "2026-01-15T10:00:00Z",
    },
    request=False,
)
class TaxRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaxRate
        fields = ["country", "standard_rate", "reduced_rate", "updated_at"]


@example(
    name="German VAT",
    value={"country": "DE", "standard_rate": "19.00", "reduced_rate": "7.00"},
    request=True,
)
class TaxRateInSerializer(serializers.Serializer):
    country = serializers.CharField(
        min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2, any case."
    )
    standard_rate = serializers.DecimalField(**RATE, help_text="Percent.")
    reduced_rate = serializers.DecimalField(**RATE, help_text="Percent.")


@example(name="A new reduced rate", value={"reduced_rate": "5.00"}, request=True)
class TaxRateChangeSerializer(serializers.Serializer):
    standard_rate = serializers.DecimalField(**RATE, required=False)
    reduced_rate = serializers.DecimalField(**RATE, required=False)


VOUCHER_EXAMPLE = {
    "code": "SPRING10",
    "kind": "percentage",
    "target": "order",
    "value": "10.00",
    "minimum_spend": "50.00",
    "valid_from": "2026-03-01T00:00:00Z",
    "valid_until": "2026-04-01T00:00:00Z",
    "usage_limit": 500,
    "usage_limit_per_customer": 1,
    "is_active": True,
}


@example(
    name="Ten percent off in spring",
    value={
        "id": 7,
        **VOUCHER_EXAMPLE,
        "uses": 12,
        "created_at": "2026-02-20T09:00:00Z",
        "updated_at": "2026-02-20T09:00:00Z",
    },
    request=False,
)
class VoucherSerializer(serializers.ModelSerializer):
    class Meta:
        model = Voucher
        fields = ["id", *VOUCHER_FIELDS, "uses", "created_at", "updated_at"]


@example(name="Ten percent off in spring", value=VOUCHER_EXAMPLE, request=True)
class VoucherInSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=64, help_text="Letters, digits, '-' and '_'; unique in any case."
    )
    kind = serializers.ChoiceField(choices=VoucherKind.choices)
    target = serializers.ChoiceField(
        choices=VoucherTarget.choices,
        default=VoucherTarget.ORDER,
        help_text="What the discount applies to: the goods or the shipping.",
    )
    value = serializers.DecimalField(
        **AMOUNT,
        min_value=Decimal("0.01"),
        help_text="Percent (at most 100) or an amount in the shop's currency.",
    )
    minimum_spend = serializers.DecimalField(
        **AMOUNT,
        min_value=Decimal("0"),
        default=Decimal("0"),
        help_text="The goods' subtotal before discount must reach it.",
    )
    valid_from = serializers.DateTimeField(required=False, allow_null=True)
    valid_until = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Exclusive; after valid_from."
    )
    usage_limit = serializers.IntegerField(
        **LIMIT, required=False, allow_null=True, help_text="null: no limit."
    )
    usage_limit_per_customer = serializers.IntegerField(
        **LIMIT, required=False, allow_null=True, help_text="null: no limit."
    )
    is_active = serializers.BooleanField(default=True)


class VoucherListFilterSerializer(serializers.Serializer):
    code = serializers.CharField(
        required=False, max_length=64, help_text="A part of the code, any case."
    )
