from django.urls import path

from apps.orders.api import cart_views, pricing_views, shipping_views, views

app_name = "orders"
urlpatterns = [
    path("", views.OrderListCreateApi.as_view(), name="order-list"),
    path("<uuid:order_id>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path(
        "<uuid:order_id>/cancel/", views.OrderCancelApi.as_view(), name="order-cancel"
    ),
    path("<uuid:order_id>/pay/", views.OrderPayApi.as_view(), name="order-pay"),
    path("<uuid:order_id>/ship/", views.OrderShipApi.as_view(), name="order-ship"),
    path(
        "<uuid:order_id>/deliver/",
        views.OrderDeliverApi.as_view(),
        name="order-deliver",
    ),
    path(
        "guest/<uuid:order_id>/<str:token>/",
        cart_views.GuestOrderApi.as_view(),
        name="guest-order",
    ),
    path(
        "guest/<uuid:order_id>/<str:token>/pay/",
        cart_views.GuestOrderPayApi.as_view(),
        name="guest-order-pay",
    ),
    path(
        "guest/<uuid:order_id>/<str:token>/cancel/",
        cart_views.GuestOrderCancelApi.as_view(),
        name="guest-order-cancel",
    ),
    path(
        "shipping-methods/",
        shipping_views.ShippingMethodListCreateApi.as_view(),
        name="shipping-method-list",
    ),
    path(
        "shipping-methods/<uuid:method_id>/",
        shipping_views.ShippingMethodDetailApi.as_view(),
        name="shipping-method-detail",
    ),
    path("tax-rates/", pricing_views.TaxRateListCreateApi.as_view(), name="tax-rates"),
    path(
        "tax-rates/<str:country>/",
        pricing_views.TaxRateDetailApi.as_view(),
        name="tax-rate-detail",
    ),
    path("vouchers/", pricing_views.VoucherListCreateApi.as_view(), name="vouchers"),
    path(
        "vouchers/<int:voucher_id>/",
        pricing_views.VoucherDetailApi.as_view(),
        name="voucher-detail",
    ),
]
