"""The application's URLs plus bare reference endpoints for bench/catalog.py:
plain Django views that return the same rows as the catalog API through
`.values()` and `JsonResponse` - no DRF, filters, serializers or auth."""

from django.apps import apps
from django.http import Http404, JsonResponse
from django.urls import path

from apps.catalog.selectors import PRODUCT_FIELDS as FIELDS  # the same columns
from config.urls import urlpatterns as application_urlpatterns

PAGE_SIZE = 20


def _active():
    return apps.get_model("catalog", "Product").objects.filter(is_active=True)


def reference_list(request):
    rows = _active()
    if "min_price" in request.GET:
        rows = rows.filter(price__gte=request.GET["min_price"])
    if "max_price" in request.GET:
        rows = rows.filter(price__lte=request.GET["max_price"])
    if request.GET.get("in_stock") == "true":
        rows = rows.filter(in_stock=True)
    ordering = request.GET.get("ordering", "-created_at")
    page = int(request.GET.get("page", "1"))
    start = (page - 1) * PAGE_SIZE
    results = list(
        rows.order_by(ordering, "id").values(*FIELDS)[start : start + PAGE_SIZE]
    )
    return JsonResponse({"results": results})


def reference_detail(request, product_id):
    row = _active().filter(pk=product_id).values(*FIELDS).first()
    if row is None:
        raise Http404
    return JsonResponse(row)


urlpatterns = [
    path("bench/catalog/products/", reference_list),
    path("bench/catalog/products/<uuid:product_id>/", reference_detail),
    *application_urlpatterns,
]
