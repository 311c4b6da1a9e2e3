from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from apps.inventory.services import MAX_QUANTITY


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Stock of a product",
            value={
                "product_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                "on_hand": 25,
                "reserved": 2,
                "available": 23,
                "version": 4,
            },
            response_only=True,
        )
    ]
)
class StockSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()
    version = serializers.IntegerField()


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A delivery", value={"delta": 10, "reason": "delivery"}, request_only=True
        )
    ]
)
class AdjustmentSerializer(serializers.Serializer):
    delta = serializers.IntegerField(min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY)
    reason = serializers.CharField(max_length=200)

    def validate_delta(self, value):
        if value == 0:
            raise serializers.ValidationError("Must not be zero.")
        return value
