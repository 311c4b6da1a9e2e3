from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.common import health, metrics

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
    path("metrics", metrics.metrics_view, name="metrics"),
    path("api/v1/", include(api_v1)),
    # The browsable API's log in and log out (a session for its pages only).
    path("api-auth/", include("rest_framework.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("admin/", admin.site.urls),
]

# Django's own error pages answer problem details under /api/.
handler400 = "apps.common.error_views.bad_request"
handler403 = "apps.common.error_views.permission_denied"
handler404 = "apps.common.error_views.page_not_found"
handler500 = "apps.common.error_views.server_error"
