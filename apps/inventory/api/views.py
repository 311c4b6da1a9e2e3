from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.permissions import IsStaff
from apps.inventory import selectors, services
from apps.inventory.api.serializers import AdjustmentSerializer, StockSerializer


class StockDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=StockSerializer)
    def get(self, request, product_id):
        """Get a product's stock.

        Staff only. On hand, reserved by unpaid orders, and available.
        """
        item = selectors.stock_item_get(product_id=product_id)
        return Response(StockSerializer(item).data)


class StockAdjustmentCreateApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=AdjustmentSerializer, responses={201: StockSerializer})
    def post(self, request, product_id):
        """Adjust a product's stock.

        Staff only. A positive delta receives goods, a negative one writes them off; on
        hand may not drop below reserved (409).
        """
        serializer = AdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.stock_adjust(
            product_id=product_id,
            delta=serializer.validated_data["delta"],
            reason=serializer.validated_data["reason"],
            actor=f"user:{request.user.pk}",
        )
        return Response(StockSerializer(item).data, status=status.HTTP_201_CREATED)
