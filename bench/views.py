"""Bare reference endpoints: plain Django views over the same rows as the API,
without DRF, serializers, filters, authentication or events. The ratio of an
API endpoint to its reference is the price of the framework and the design.
"""

import json

from django.apps import apps
from django.contrib.auth import authenticate
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.common.db import alias_for

PAGE_SIZE = 20
PRODUCT_FIELDS = ("id", "sku", "slug", "name", "price", "currency", "is_active")


def _products():
    return apps.get_model("catalog", "Product").objects


def _json(data, status=200):
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder),
        status=status,
        content_type="application/json",
    )


def product_list(request):
    """A page of active products, filtered and ordered like the API's listing
    (one query, one row more than the page to know whether a next one exists)."""
    rows = _products().filter(is_active=True)
    if "min_price" in request.GET:
        rows = rows.filter(price__gte=request.GET["min_price"])
    if "max_price" in request.GET:
        rows = rows.filter(price__lte=request.GET["max_price"])
    if "in_stock" in request.GET:
        rows = rows.filter(in_stock=request.GET["in_stock"] == "true")
    if "category" in request.GET:
        rows = rows.filter(category__slug=request.GET["category"])
    rows = rows.order_by(request.GET.get("ordering", "-created_at"), "id")
    page = max(int(request.GET.get("page", "1")), 1)
    start = (page - 1) * PAGE_SIZE
    results = list(rows.values(*PRODUCT_FIELDS)[start : start + PAGE_SIZE + 1])
    return _json({"has_next": len(results) > PAGE_SIZE, "results": results[:PAGE_SIZE]})


def product_detail(request, product_id):
    row = _products().filter(pk=product_id).values(*PRODUCT_FIELDS).first()
    if row is None:
        return _json({"detail": "not found"}, status=404)
    return _json(row)


@csrf_exempt
def login(request):
    """Checks the password as the token endpoint does, issues nothing."""
    data = json.loads(request.body)
    user = authenticate(request, email=data["email"], password=data["password"])
    return JsonResponse({"ok": user is not None}, status=200 if user else 401)


@csrf_exempt
def reserve_one(request, product_id):
    """One bare conditional UPDATE: reserve a unit if one is available."""
    stock = apps.get_model("inventory", "StockItem").objects
    alias = alias_for("inventory")
    with transaction.atomic(using=alias):
        won = (
            stock.using(alias)
            .filter(product_id=product_id, on_hand__gte=F("reserved") + 1)
            .update(reserved=F("reserved") + 1)
        )
    return JsonResponse({"reserved": bool(won)}, status=200 if won else 409)
