from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.common import health, metrics
from apps.common.remote.views import interface_call
from config.topology import API_ROUTES

# Only the hosted apps' routes: a deployable serves its own apps alone.
api_v1 = [
    path(f"{prefix}/", include(module))
    for app in settings.DOMAIN_APPS
    for prefix, module in API_ROUTES[app].items()
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("api/v1/", include(api_v1)),
    # The browsable API's log in and log out (a session for its pages only).
    path("api-auth/", include("rest_framework.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Its start-up script is a file of its own, so the page's CSP forbids inline
    # scripts.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema"),
        name="docs",
    ),
    path("admin/", admin.site.urls),
    # Interface calls from other deployables, for the apps hosted here only.
    *[
        path(f"internal/v1/{app}/<str:name>/", interface_call, {"app": app})
        for app in settings.DOMAIN_APPS
    ],
]

# Uploaded images from MEDIA_ROOT, by runserver under `make run` only: Django's
# helper adds nothing unless DEBUG is on and MEDIA_URL is a local path;
# production serves media from its bucket (or a proxy in front of a volume).
if settings.MEDIA_STORAGE == "local":
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Django's own error pages answer problem details under /api/.
handler400 = "apps.common.error_views.bad_request"
handler403 = "apps.common.error_views.permission_denied"
handler404 = "apps.common.error_views.page_not_found"
handler500 = "apps.common.error_views.server_error"
