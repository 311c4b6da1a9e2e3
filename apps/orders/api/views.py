import uuid
from collections.abc import Mapping

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from apps.common.authentication import EMAIL_VERIFIED_CLAIM
from apps.common.pagination import PageNumberPagination
from apps.common.permissions import IsStaff
from apps.common.throttling import ExactRateThrottleMixin
from apps.orders import selectors
from apps.orders.api.idempotency import KEY_PARAMETER, run_idempotently
from apps.orders.api.serializers import (
    OrderListFilterSerializer,
    OrderPaySerializer,
    OrderPlaceSerializer,
    OrderSerializer,
    OrderShipSerializer,
)
from apps.orders.services.lifecycle import order_deliver, order_ship
from apps.orders.services.payments import order_cancel_as, order_pay
from apps.orders.services.placement import (
    MAX_LINES,
    RequestedLine,
    ShippingAddress,
    order_place,
    product_errors,
)


def _with_product_errors(errors: dict, data) -> dict:
    """The serializer's errors plus the lines' unknown or unavailable products:
    a quantity of 0 and an unknown product are reported together."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) > MAX_LINES:
        return errors
    if not isinstance(errors.get("items", {}), dict):
        return errors
    product_ids = _product_ids(items)
    if not product_ids:
        return errors
    merged = dict(errors.get("items", {}))
    for index, found in product_errors(product_ids=product_ids).items():
        line = merged.get(index, {})
        if isinstance(line, dict):
            merged[index] = {**found, **line}
    return {**errors, "items": merged} if merged else errors


def _product_ids(items: list) -> dict[int, uuid.UUID]:
    """Line index -> product id, for the lines whose id is a UUID at all."""
    ids = {}
    for index, item in enumerate(items):
        try:
            ids[index] = uuid.UUID(str(item["product_id"]))
        except (TypeError, KeyError, ValueError):
            continue
    return ids


class MayPlaceOrders(BasePermission):
    """A verified e-mail address where UNVERIFIED_ACCOUNTS_MAY is not "order",
    read from the access token (a token without the claim predates
    verification); a user who just verified refreshes their token."""

    message = "Verify your e-mail address before placing orders."
    code = "email_not_verified"

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if settings.UNVERIFIED_ACCOUNTS_MAY == "order":
            return True
        claims = request.auth if isinstance(request.auth, Mapping) else {}
        return bool(claims.get(EMAIL_VERIFIED_CLAIM, True))


class OrderPlaceThrottle(ExactRateThrottleMixin, UserRateThrottle):
    scope = "order_place"


def _order_response(request, order_id, *, status_code=status.HTTP_200_OK, **kw):
    order = selectors.order_get(
        order_id=order_id, user_id=request.user.pk, is_staff=request.user.is_staff
    )
    return Response(OrderSerializer(order).data, status=status_code, **kw)


def _created(order):
    location = reverse("orders:order-detail", args=[order.id])
    return Response(
        OrderSerializer(order).data,
        status=status.HTTP_201_CREATED,
        headers={"Location": location},
    )


class OrderListCreateApi(APIView):
    permission_classes = [IsAuthenticated, MayPlaceOrders]
    # Also tells the schema generator that the list answers a page.
    pagination_class = PageNumberPagination

    def get_throttles(self):
        if self.request.method == "POST":
            return [OrderPlaceThrottle()]
        return super().get_throttles()

    @extend_schema(
        operation_id="orders_list",
        parameters=[OrderListFilterSerializer],
        responses=OrderSerializer(many=True),
    )
    def get(self, request):
        """List orders.

        A customer's own orders, newest first; staff see every order and may filter by
        `user`.
        """
        filters = OrderListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        orders = selectors.order_list(
            user_id=request.user.pk,
            is_staff=request.user.is_staff,
            status=filters.validated_data.get("status"),
            for_user=filters.validated_data.get("user"),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(OrderSerializer(page, many=True).data)

    @extend_schema(
        operation_id="orders_place",
        request=OrderPlaceSerializer,
        responses={201: OrderSerializer},
        parameters=[KEY_PARAMETER],
    )
    def post(self, request):
        """Place an order.

        Prices come from the catalog; the order is `pending` until stock is reserved
        (`confirmed`) or refused (`failed`, with the reason). Send an `Idempotency-Key`
        to retry safely.
        """
        return run_idempotently(
            self,
            request,
            perform=lambda claim: self._place(request, claim),
            render=_created,
            render_again=lambda order_id: _created(
                selectors.order_get(
                    order_id=order_id,
                    user_id=request.user.pk,
                    is_staff=request.user.is_staff,
                )
            ),
        )

    def _place(self, request, claim):
        serializer = OrderPlaceSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(_with_product_errors(serializer.errors, request.data))
        data = serializer.validated_data
        return order_place(
            user_id=request.user.pk,
            items=[RequestedLine(**item) for item in data["items"]],
            address=ShippingAddress(**data["shipping_address"]),
            claim=claim,
        )


class OrderDetailApi(APIView):
    @extend_schema(operation_id="orders_retrieve", responses=OrderSerializer)
    def get(self, request, order_id):
        """Get an order.

        Another customer's order is a 404, like an unknown id.
        """
        return _order_response(request, order_id)


class OrderCancelApi(APIView):
    @extend_schema(
        operation_id="orders_cancel", request=None, responses=OrderSerializer
    )
    def post(self, request, order_id):
        """Cancel an order.

        A pending or confirmed order; staff may also cancel a paid one, which refunds
        it.
        """
        order_cancel_as(
            order_id=order_id, user_id=request.user.pk, is_staff=request.user.is_staff
        )
        return _order_response(request, order_id)


class OrderPayApi(APIView):
    @extend_schema(
        operation_id="orders_pay",
        request=OrderPaySerializer,
        responses=OrderSerializer,
        parameters=[KEY_PARAMETER],
    )
    def post(self, request, order_id):
        """Pay an order.

        A confirmed order, before its reservation expires. Test tokens: `tok_success`
        pays, `tok_declined` is a 402, `tok_error` a 503. Send an `Idempotency-Key` to
        retry safely.
        """
        return run_idempotently(
            self,
            request,
            perform=lambda claim: self._pay(request, order_id, claim),
            render=lambda order: _order_response(request, order.id),
            render_again=lambda paid_id: _order_response(request, paid_id),
        )

    def _pay(self, request, order_id, claim):
        serializer = OrderPaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return order_pay(
            order_id=order_id,
            user_id=request.user.pk,
            payment_token=serializer.validated_data["payment_token"],
            claim=claim,
        )


class OrderShipApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="orders_ship",
        request=OrderShipSerializer,
        responses=OrderSerializer,
    )
    def post(self, request, order_id):
        """Ship an order.

        Staff only. A paid order, with the carrier and its tracking number.
        """
        serializer = OrderShipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_ship(order_id=order_id, **serializer.validated_data)
        return _order_response(request, order_id)


class OrderDeliverApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="orders_deliver", request=None, responses=OrderSerializer
    )
    def post(self, request, order_id):
        """Mark an order delivered.

        Staff only. A shipped order.
        """
        order_deliver(order_id=order_id)
        return _order_response(request, order_id)
