from django.urls import path

from apps.orders.api import pricing_views, views

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
