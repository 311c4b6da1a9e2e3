"""Shipping methods, managed by staff."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.permissions import IsStaff
from apps.orders.api.cart_serializers import ShippingMethodSerializer
from apps.orders.models import ShippingMethod
from apps.orders.services import shipping


class ShippingMethodListCreateApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = None

    @extend_schema(
        operation_id="orders_shipping_methods_list",
        responses=ShippingMethodSerializer(many=True),
    )
    def get(self, request):
        """List shipping methods.

        Staff only; every method, active or not, by name.
        """
        methods = ShippingMethod.objects.all()
        return Response(ShippingMethodSerializer(methods, many=True).data)

    @extend_schema(
        operation_id="orders_shipping_methods_create",
        request=ShippingMethodSerializer,
        responses={201: ShippingMethodSerializer},
    )
    def post(self, request):
        """Create a shipping method.

        Staff only. A flat `price`, optional subtotal `bands` (the first whose
        `up_to` reaches the subtotal applies) and `free_above` a subtotal.
        """
        serializer = ShippingMethodSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        method = shipping.shipping_method_create(**serializer.validated_data)
        return Response(
            ShippingMethodSerializer(method).data, status=status.HTTP_201_CREATED
        )


class ShippingMethodDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="orders_shipping_methods_retrieve",
        responses=ShippingMethodSerializer,
    )
    def get(self, request, method_id):
        """Get a shipping method.

        Staff only.
        """
        method = shipping.shipping_method_get(method_id=method_id)
        return Response(ShippingMethodSerializer(method).data)

    @extend_schema(
        operation_id="orders_shipping_methods_update",
        request=ShippingMethodSerializer,
        responses=ShippingMethodSerializer,
    )
    def patch(self, request, method_id):
        """Change a shipping method.

        Staff only; orders keep the name and price they were placed with.
        """
        serializer = ShippingMethodSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        method = shipping.shipping_method_update(
            method_id=method_id, **serializer.validated_data
        )
        return Response(ShippingMethodSerializer(method).data)

    @extend_schema(
        operation_id="orders_shipping_methods_delete",
        request=None,
        responses={204: None},
    )
    def delete(self, request, method_id):
        """Delete a shipping method.

        Staff only; orders keep the name and price they were placed with.
        """
        shipping.shipping_method_delete(method_id=method_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
