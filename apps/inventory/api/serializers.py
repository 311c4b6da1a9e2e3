from rest_framework import serializers

from apps.common.schema import example
from apps.inventory.services import MAX_QUANTITY


@example(
    name="Stock of a product",
    value={
        "product_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "on_hand": 25,
        "reserved": 2,
        "available": 23,
        "version": 4,
    },
    request=False,
)
class StockSerializer(serializers.Serializer):
    product_id = serializers.UUIDField()
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()
    version = serializers.IntegerField()


@example(
    name="A delivery",
    value={"delta": 10, "reason": "delivery"},
    request=True,
)
class AdjustmentSerializer(serializers.Serializer):
    delta = serializers.IntegerField(min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY)
    reason = serializers.CharField(max_length=200)

    def validate_delta(self, value):
        if value == 0:
            raise serializers.ValidationError("Must not be zero.")
        return value
