from django.urls import path

from apps.orders.api import cart_views

app_name = "cart"
urlpatterns = [
    path("", cart_views.CartApi.as_view(), name="cart"),
    path("lines/", cart_views.CartLinesApi.as_view(), name="cart-lines"),
    path(
        "lines/<uuid:product_id>/",
        cart_views.CartLineApi.as_view(),
        name="cart-line",
    ),
    path(
        "shipping-methods/",
        cart_views.CartShippingMethodsApi.as_view(),
        name="cart-shipping-methods",
    ),
    path("checkout/", cart_views.CartCheckoutApi.as_view(), name="cart-checkout"),
]
