from django.urls import path

from apps.inventory.api.views import StockAdjustmentCreateApi, StockDetailApi

app_name = "inventory"
urlpatterns = [
    path("stock/<uuid:product_id>/", StockDetailApi.as_view(), name="stock-detail"),
    path(
        "stock/<uuid:product_id>/adjustments/",
        StockAdjustmentCreateApi.as_view(),
        name="stock-adjustments",
    ),
]
