"""Bare reference endpoints: plain Django views that do the work their API
endpoint must (the same filters, rows, page and fields), without DRF,
serializers, filters, authentication, caching or events. The ratio of an API
endpoint to its reference is the price of the framework and the design (or,
for cached reads, what the cache saves).
"""

import json

from django.apps import apps
from django.contrib.auth import authenticate
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, JSONField, OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from apps.catalog.selectors import PRODUCT_FIELDS  # the columns the API renders
from apps.common.db import alias_for

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _products():
    return apps.get_model("catalog", "Product").objects


def _json(data, status=200):
    return HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder),
        status=status,
        content_type="application/json",
    )


def _category_and_below(slug: str) -> list[int]:
    """Ids of the category `slug` and of every category below it, from one
    query over the category table (as the API's `category` filter does)."""
    rows = list(
        apps.get_model("catalog", "Category").objects.values_list(
            "pk", "parent_id", "slug"
        )
    )
    children: dict[int, list[int]] = {}
    for pk, parent_id, _slug in rows:
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [pk for pk, _parent, s in rows if s == slug]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, []))
    return found


def _images():
    return apps.get_model("catalog", "ProductImage").objects.order_by("position", "id")


def _row_values(rows):
    """The columns the API renders, the category's slug by a join."""
    return rows.values(
        *PRODUCT_FIELDS,
        "image_thumbnails",
        "image_alt_text",
        category_slug=F("category__slug"),
    )


def _first_image() -> dict:
    """The first image's listing thumbnail and alt text, by subqueries of the
    page's query (as the API reads them)."""
    first = _images().filter(product=OuterRef("pk"))[:1]
    return {
        "image_thumbnails": Subquery(
            first.values("thumbnails"), output_field=JSONField()
        ),
        "image_alt_text": Subquery(first.values("alt_text")),
    }


def _url(request, name: str) -> str:
    return request.build_absolute_uri(default_storage.url(name))


def _sized(request, file: dict) -> dict:
    return {
        "url": _url(request, file["name"]),
        "width": file["width"],
        "height": file["height"],
    }


def _out(row: dict, request) -> dict:
    """The API's product fields, named as it names them."""
    row["category"] = row.pop("category_slug")
    row["price"] = str(row["price"])
    thumbnails, alt_text = row.pop("image_thumbnails"), row.pop("image_alt_text")
    row["image"] = thumbnails and {
        **_sized(request, thumbnails["listing"]),
        "alt_text": alt_text,
    }
    return row


def _page_link(request, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    if page == 1:
        del query["page"]
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def product_list(request):
    """What GET /api/v1/catalog/products/ must do for the same query, in plain
    Django: active products; `min_price`, `max_price`, `in_stock`, `category`
    (the slug and every category below it) and `ordering` (default
    -created_at, `id` breaking ties); `page` and `page_size` (at most 100),
    one row more than the page to know whether a next one exists; the same
    twelve fields, and absolute `next`/`previous` links. It skips what the
    framework adds: validation beyond int(), content negotiation, auth."""
    rows = _products().filter(is_active=True)
    if "min_price" in request.GET:
        rows = rows.filter(price__gte=request.GET["min_price"])
    if "max_price" in request.GET:
        rows = rows.filter(price__lte=request.GET["max_price"])
    if "in_stock" in request.GET:
        rows = rows.filter(in_stock=request.GET["in_stock"] == "true")
    if "category" in request.GET:
        rows = rows.filter(category_id__in=_category_and_below(request.GET["category"]))
    rows = rows.order_by(request.GET.get("ordering", "-created_at"), "id")
    page = max(int(request.GET.get("page", "1")), 1)
    size = min(int(request.GET.get("page_size", PAGE_SIZE)), MAX_PAGE_SIZE)
    start = (page - 1) * size
    rows = _row_values(rows.annotate(**_first_image()))
    results = list(rows[start : start + size + 1])
    return _json(
        {
            "next": _page_link(request, page + 1) if len(results) > size else None,
            "previous": _page_link(request, page - 1) if page > 1 else None,
            "results": [_out(row, request) for row in results[:size]],
        }
    )


def product_detail(request, product_id):
    """GET /api/v1/catalog/products/{id}/ for anyone: an active product's
    fields with all its images and its options and active variants (one more
    query each), or a 404."""
    row = _products().filter(pk=product_id, is_active=True)
    row = row.annotate(**_first_image())
    row = _row_values(row).first()
    if row is None:
        return _json({"detail": "not found"}, status=404)
    images = _images().filter(product_id=product_id)
    fields = ("id", "image", "alt_text", "position", "width", "height", "thumbnails")
    row = _out(row, request)
    row["images"] = [
        {
            **image,
            "url": _url(request, image["image"]),
            "thumbnails": {
                k: _sized(request, t) for k, t in image["thumbnails"].items()
            },
        }
        for image in images.values(*fields)
    ]
    for image in row["images"]:
        del image["image"]
    variants, options = {}, {}
    rows = (
        apps.get_model("catalog", "Variant")
        .objects.filter(product_id=product_id, is_active=True)
        .order_by("created_at", "id", "option_values__name")
        .values_list(
            "id",
            "sku",
            "price",
            "in_stock",
            "option_values__name",
            "option_values__value",
        )
    )
    for pk, sku, price, in_stock, name, value in rows:
        variant = variants.setdefault(
            pk,
            {
                "id": pk,
                "sku": sku,
                "price": str(price),
                "options": {},
                "is_active": True,
                "in_stock": in_stock,
            },
        )
        if name is not None:
            variant["options"][name] = value
            if value not in options.setdefault(name, []):
                options[name].append(value)
    row["options"] = [{"name": n, "values": v} for n, v in options.items()]
    row["variants"] = list(variants.values())
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
