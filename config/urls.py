from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.common import health

api_v1 = [
    path("auth/", include("apps.users.api.auth_urls")),
    path("users/", include("apps.users.api.urls")),
    path("catalog/", include("apps.catalog.api.urls")),
    path("inventory/", include("apps.inventory.api.urls")),
    path("orders/", include("apps.orders.api.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
]
