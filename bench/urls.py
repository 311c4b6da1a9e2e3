"""The project's URLs plus the reference view of the checkout benchmark."""

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.db import connections, transaction
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.settings import api_settings

from apps.common.db import alias_for
from config.urls import urlpatterns as project_urlpatterns

ORDER_SQL = """
INSERT INTO orders_order (id, user_id, status, currency, total, shipping_name,
  shipping_line1, shipping_line2, shipping_city, shipping_postal_code,
  shipping_country, status_reason, created_at, updated_at)
VALUES (%s, %s, 'pending', %s, %s, %s, %s, %s, %s, %s, %s, '', %s, %s)
"""
LINE_SQL = """
INSERT INTO orders_orderline (order_id, product_id, sku, name, unit_price,
  quantity, line_total) VALUES (%s, %s, %s, %s, %s, %s, %s)
"""
OUTBOX_SQL = """
INSERT INTO eventbus_outboxevent (event_id, event_type, version, producer,
  occurred_at, correlation_id, causation_id, payload, trace_context, created_at,
  sent_at)
VALUES (%s, 'bench.order.placed.v1', 1, 'bench', %s, '', '', %s, '{}', %s, %s)
"""


@csrf_exempt
def reference_order(request):
    """The same rows as a placement (order, line, outbox), written with raw SQL
    by a plain Django view after the same JWT check: the floor to compare with."""
    # The API's own JWT check (its first authentication class), logout check
    # included.
    user, _ = api_settings.DEFAULT_AUTHENTICATION_CLASSES[0]().authenticate(request)
    data = json.loads(request.body)
    item = data["items"][0]
    address = data["shipping_address"]
    order_id, now = uuid.uuid4(), dt.datetime.now(dt.UTC)
    price = Decimal(item["unit_price"])
    total = price * item["quantity"]
    alias = alias_for("orders")
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            ORDER_SQL,
            [order_id, user.pk, "EUR", total, address["name"], address["line1"],
             address.get("line2", ""), address["city"], address["postal_code"],
             address["country"], now, now],
        )  # fmt: skip
        cursor.execute(
            LINE_SQL,
            [order_id, item["product_id"], "BENCH", "Bench", price,
             item["quantity"], total],
        )  # fmt: skip
        payload = json.dumps({"order_id": str(order_id), "total": str(total)})
        cursor.execute(OUTBOX_SQL, [uuid.uuid4(), now, payload, now, now])
    return JsonResponse({"id": str(order_id), "status": "pending"}, status=201)


urlpatterns = [
    *project_urlpatterns,
    path("bench/reference-order/", reference_order),
]
