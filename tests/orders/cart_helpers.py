"""Helpers of the cart and checkout tests: guest carts, lines, shipping methods."""

from decimal import Decimal

from apps.orders.models import ShippingMethod

CART = "/api/v1/cart/"
LINES = "/api/v1/cart/lines/"
CHECKOUT = "/api/v1/cart/checkout/"
SHIPPING = "/api/v1/cart/shipping-methods/"


def guest_cart(api_client) -> str:
    """A new guest cart; the client sends its token from now on."""
    response = api_client.post(CART)
    assert response.status_code == 201, response.json()
    token = response.json()["token"]
    api_client.credentials(HTTP_CART_TOKEN=token)
    return token


def add(client, product_id, quantity=1):
    return client.post(
        LINES, {"product_id": str(product_id), "quantity": quantity}, format="json"
    )


def method(**fields) -> ShippingMethod:
    defaults = {
        "name": "Standard",
        "countries": ["GB", "DE"],
        "currency": "EUR",
        "price": Decimal("6.90"),
        "bands": [{"up_to": "50.00", "price": "4.90"}],
        "free_above": Decimal("100.00"),
    }
    return ShippingMethod.objects.create(**{**defaults, **fields})


def checkout_body(method_id, **extra):
    from tests.orders.helpers import ADDRESS

    return {
        "shipping_address": dict(ADDRESS),
        "shipping_method": str(method_id),
        **extra,
    }
