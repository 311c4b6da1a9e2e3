"""The cart (guests by `Cart-Token`, customers by their login), its shipping
options and its checkout; a guest's order behind its link."""

import uuid

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.errors import ValidationFailed
from apps.orders import selectors
from apps.orders.api.cart_serializers import (
    CartLineAddSerializer,
    CartLineSetSerializer,
    CartQuerySerializer,
    CartSerializer,
    CheckoutOrderSerializer,
    CheckoutSerializer,
    GuestCartSerializer,
    ShippingOptionSerializer,
    ShippingQuerySerializer,
)
from apps.orders.api.idempotency import KEY_PARAMETER, run_idempotently
from apps.orders.api.serializers import OrderPaySerializer, OrderSerializer
from apps.orders.api.views import MayPlaceOrders, OrderPlaceThrottle
from apps.orders.models import Cart
from apps.orders.services import cart as carts
from apps.orders.services.checkout import cart_checkout
from apps.orders.services.guest import guest_order_check, guest_token
from apps.orders.services.lifecycle import order_cancel
from apps.orders.services.payments import order_pay
from apps.orders.services.placement import ShippingAddress
from apps.orders.services.shipping import shipping_methods_for

CART_TOKEN = "Cart-Token"
MAX_TOKEN_LENGTH = 100
TOKEN_PARAMETER = OpenApiParameter(
    CART_TOKEN,
    {"type": "string", "maxLength": MAX_TOKEN_LENGTH},
    OpenApiParameter.HEADER,
    description=(
        "A guest's cart token (from `POST /api/v1/cart/`). Sent with a login, "
        "the guest cart is merged into the customer's and ends."
    ),
)


def _token(request) -> str | None:
    token = request.headers.get(CART_TOKEN)
    if token is not None and not 1 <= len(token) <= MAX_TOKEN_LENGTH:
        raise ValidationFailed({CART_TOKEN: ["Not a cart token."]})
    return token


def resolve_cart(request) -> Cart:
    """The customer's cart (a presented guest cart merged into it first), or
    the guest's by its token."""
    token = _token(request)
    if request.user.is_authenticated:
        if token:
            return carts.cart_merge(user_id=request.user.pk, token=token)
        return carts.cart_of_customer(user_id=request.user.pk)
    if not token:
        raise ValidationFailed({CART_TOKEN: ["Send your cart's token, or log in."]})
    return carts.cart_of_guest(token=token)


def _render(request, cart: Cart, *, status_code=status.HTTP_200_OK) -> Response:
    query = CartQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    view = carts.cart_view(
        cart=cart,
        country=query.validated_data["country"],
        voucher_code=query.validated_data["voucher"],
    )
    return Response(CartSerializer(view).data, status=status_code)


CART_PARAMETERS = [TOKEN_PARAMETER, CartQuerySerializer]


class CartApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="orders_cart_retrieve",
        parameters=CART_PARAMETERS,
        responses=CartSerializer,
    )
    def get(self, request):
        """Get the cart.

        Live prices, stock and totals (tax for `country`, a `voucher` tried without
        being used); a line whose product became inactive or unknown stays, with its
        `status`, and blocks the checkout.
        """
        return _render(request, resolve_cart(request))

    @extend_schema(
        operation_id="orders_cart_create",
        request=None,
        responses={201: GuestCartSerializer, 200: CartSerializer},
        parameters=[TOKEN_PARAMETER],
    )
    def post(self, request):
        """Start a guest cart.

        Anonymous: a new cart and its token (201; send it as `Cart-Token`). Logged
        in: the customer's own cart (200).
        """
        if request.user.is_authenticated:
            return _render(request, resolve_cart(request))
        _token(request)  # a malformed one is refused, as everywhere
        cart, token = carts.cart_create_guest()
        view = carts.cart_view(cart=cart)
        body = GuestCartSerializer({"token": token, "cart": view}).data
        return Response(body, status=status.HTTP_201_CREATED)


class CartLinesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="orders_cart_lines_add",
        request=CartLineAddSerializer,
        responses=CartSerializer,
        parameters=CART_PARAMETERS,
    )
    def post(self, request):
        """Add a product to the cart.

        Added to its line if there is one (at most 1000 in all); an unknown or
        inactive product is a 400 on `product_id`.
        """
        serializer = CartLineAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = resolve_cart(request)
        carts.cart_line_add(cart=cart, **serializer.validated_data)
        return _render(request, cart)


class CartLineApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="orders_cart_lines_update",
        request=CartLineSetSerializer,
        responses=CartSerializer,
        parameters=CART_PARAMETERS,
    )
    def patch(self, request, product_id):
        """Change a line's quantity.

        1 to 1000; a product not in the cart is a 404.
        """
        serializer = CartLineSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = resolve_cart(request)
        carts.cart_line_set(
            cart=cart, product_id=product_id, **serializer.validated_data
        )
        return _render(request, cart)

    @extend_schema(
        operation_id="orders_cart_lines_remove",
        request=None,
        responses=CartSerializer,
        parameters=CART_PARAMETERS,
    )
    def delete(self, request, product_id):
        """Remove a line.

        A product not in the cart is a 404.
        """
        cart = resolve_cart(request)
        carts.cart_line_remove(cart=cart, product_id=product_id)
        return _render(request, cart)


class CartShippingMethodsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="orders_cart_shipping_methods",
        parameters=[TOKEN_PARAMETER, ShippingQuerySerializer],
        responses=ShippingOptionSerializer(many=True),
    )
    def get(self, request):
        """List the shipping methods for the cart.

        The active methods serving `country` in the cart's currency, priced for the
        cart's subtotal, cheapest first; none is an empty list.
        """
        query = ShippingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        view = carts.cart_view(cart=resolve_cart(request))
        methods = shipping_methods_for(
            country=query.validated_data["country"],
            currency=view.totals.currency,
            subtotal=view.totals.subtotal,
        )
        options = [
            {"id": m.id, "name": m.name, "price": price, "currency": m.currency}
            for m, price in methods
        ]
        return Response(ShippingOptionSerializer(options, many=True).data)


def _guest_url(order_id) -> str:
    token = guest_token(order_id=order_id)
    return reverse("orders:guest-order", args=[order_id, token])


def _checkout_response(order, *, is_guest: bool) -> Response:
    """The order as placement answered it (or as read again for a replay)."""
    guest_url = _guest_url(order.id) if is_guest else None
    location = guest_url or reverse("orders:order-detail", args=[order.id])
    return Response(
        CheckoutOrderSerializer(order, context={"guest_url": guest_url}).data,
        status=status.HTTP_201_CREATED,
        headers={"Location": location},
    )


class CartCheckoutApi(APIView):
    permission_classes = [AllowAny, MayPlaceOrders]

    def get_throttles(self):
        return [OrderPlaceThrottle()]

    @extend_schema(
        operation_id="orders_cart_checkout",
        request=CheckoutSerializer,
        responses={201: CheckoutOrderSerializer},
        parameters=[TOKEN_PARAMETER, KEY_PARAMETER],
    )
    def post(self, request):
        """Check out the cart.

        Places the order through the same saga as `POST /api/v1/orders/`, with the
        addresses, the shipping method and an optional voucher; the cart empties in
        the order's transaction. A guest gives `email` and gets `guest_url`, the only
        way back to the order. Send an `Idempotency-Key` to retry safely (a guest's
        keys belong to the cart).
        """
        cart = resolve_cart(request)
        is_guest = cart.user_id is None
        return run_idempotently(
            self,
            request,
            perform=lambda claim: self._checkout(request, cart, claim),
            render=lambda order: _checkout_response(order, is_guest=is_guest),
            render_again=lambda order_id: _checkout_response(
                selectors.order_get(order_id=order_id), is_guest=is_guest
            ),
            owner_id=cart.id if is_guest else None,
        )

    def _checkout(self, request, cart: Cart, claim):
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        email = data.get("email", "")
        if cart.user_id is None and not email:
            raise ValidationFailed({"email": ["A guest checkout needs an e-mail."]})
        billing = data.get("billing_address")
        return cart_checkout(
            cart=cart,
            user_id=cart.user_id,
            email=email if cart.user_id is None else "",
            address=ShippingAddress(**data["shipping_address"]),
            billing=ShippingAddress(**billing) if billing else None,
            shipping_method_id=data["shipping_method"],
            voucher_code=data["voucher"] or None,
            claim=claim,
        )


def _guest_order(order_id: uuid.UUID) -> Response:
    return Response(OrderSerializer(selectors.order_get(order_id=order_id)).data)


class GuestOrderApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="orders_guest_retrieve", responses=OrderSerializer)
    def get(self, request, order_id, token):
        """Get a guest's order.

        By the link the checkout answered; a wrong token is a 404, like an unknown
        order.
        """
        guest_order_check(order_id=order_id, token=token)
        return _guest_order(order_id)


class GuestOrderPayApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="orders_guest_pay",
        request=OrderPaySerializer,
        responses=OrderSerializer,
        parameters=[KEY_PARAMETER],
    )
    def post(self, request, order_id, token):
        """Pay a guest's order.

        As `POST /api/v1/orders/{id}/pay/`, through the order's link.
        """
        guest_order_check(order_id=order_id, token=token)
        return run_idempotently(
            self,
            request,
            perform=lambda claim: self._pay(request, order_id, claim),
            render=lambda order: _guest_order(order.id),
            render_again=lambda paid_id: _guest_order(paid_id),
            owner_id=order_id,
        )

    def _pay(self, request, order_id, claim):
        serializer = OrderPaySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return order_pay(
            order_id=order_id,
            user_id=None,
            payment_token=serializer.validated_data["payment_token"],
            claim=claim,
        )


class GuestOrderCancelApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="orders_guest_cancel", request=None, responses=OrderSerializer
    )
    def post(self, request, order_id, token):
        """Cancel a guest's order.

        A pending or confirmed order, through the order's link.
        """
        guest_order_check(order_id=order_id, token=token)
        order_cancel(order_id=order_id, user_id=None, reason="cancelled by customer")
        return _guest_order(order_id)
