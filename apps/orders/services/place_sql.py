"""An order placement in one SQL statement on PostgreSQL (private).

The portable path (SQLite, the embedded default) inserts the order, its lines
and its OrderPlaced outbox row in three statements between BEGIN and COMMIT.
On PostgreSQL they are one statement of data-modifying CTEs, all or nothing by
itself: outside a transaction it runs in autocommit, one round trip in all;
inside one (a test, a caller's atomic block) it is simply part of it. The
caller hands the outbox row to `dispatch_on_commit` as `publish` would.
"""

import json

from django.db import connections

from apps.common.db import alias_for
from apps.eventbus.api import dispatch_on_commit, outbox_row
from apps.eventbus.models import OutboxEvent
from apps.orders.events import OrderPlaced
from apps.orders.models import Order, OrderLine

_SQL = f"""
WITH new_order AS (
    INSERT INTO {Order._meta.db_table}
        (id, user_id, status, currency, total, shipping_name, shipping_line1,
         shipping_line2, shipping_city, shipping_postal_code, shipping_country,
         status_reason, created_at, updated_at)
    VALUES (%(id)s, %(user_id)s, %(status)s, %(currency)s, %(total)s,
            %(shipping_name)s, %(shipping_line1)s, %(shipping_line2)s,
            %(shipping_city)s, %(shipping_postal_code)s, %(shipping_country)s,
            '', %(now)s, %(now)s)
    RETURNING id
),
new_lines AS (
    INSERT INTO {OrderLine._meta.db_table}
        (order_id, product_id, sku, name, unit_price, quantity, line_total)
    SELECT new_order.id, line.product_id, line.sku, line.name, line.unit_price,
           line.quantity, line.line_total
    FROM new_order, unnest(
        %(products)s::uuid[], %(skus)s::text[], %(names)s::text[],
        %(unit_prices)s::numeric[], %(quantities)s::integer[],
        %(line_totals)s::numeric[]
    ) WITH ORDINALITY
      AS line(product_id, sku, name, unit_price, quantity, line_total, position)
    ORDER BY line.position
    RETURNING id, product_id
),
outbox AS (
    INSERT INTO {OutboxEvent._meta.db_table}
        (event_id, event_type, version, producer, occurred_at, correlation_id,
         causation_id, payload, trace_context, created_at)
    SELECT %(event_id)s, %(event_type)s, %(event_version)s, %(producer)s,
           %(occurred_at)s, %(correlation_id)s, %(causation_id)s,
           %(payload)s::jsonb, %(trace_context)s::jsonb, %(now)s
    FROM new_order
    RETURNING id
)
SELECT (SELECT id FROM outbox), new_lines.id, new_lines.product_id FROM new_lines
"""


def place_in_one_statement(
    order: Order, lines: list[OrderLine], placed: OrderPlaced
) -> None:
    """Insert the unsaved `order` (its `created_at` set), its unsaved `lines`
    and the outbox row of `placed`; the objects get their ids and are marked
    saved, and the row is dispatched after commit."""
    row = outbox_row(placed)
    alias = alias_for("orders")
    with connections[alias].cursor() as cursor:
        cursor.execute(
            _SQL,
            {
                "id": order.id,
                "user_id": order.user_id,
                "status": order.status,
                "currency": order.currency,
                "total": order.total,
                "shipping_name": order.shipping_name,
                "shipping_line1": order.shipping_line1,
                "shipping_line2": order.shipping_line2,
                "shipping_city": order.shipping_city,
                "shipping_postal_code": order.shipping_postal_code,
                "shipping_country": order.shipping_country,
                "now": order.created_at,
                "products": [line.product_id for line in lines],
                "skus": [line.sku for line in lines],
                "names": [line.name for line in lines],
                "unit_prices": [line.unit_price for line in lines],
                "quantities": [line.quantity for line in lines],
                "line_totals": [line.line_total for line in lines],
                "event_id": row.event_id,
                "event_type": row.event_type,
                "event_version": row.version,
                "producer": row.producer,
                "occurred_at": row.occurred_at,
                "correlation_id": row.correlation_id,
                "causation_id": row.causation_id,
                "payload": json.dumps(row.payload),
                "trace_context": json.dumps(row.trace_context),
            },
        )
        inserted = cursor.fetchall()
    line_ids = {product_id: line_id for _, line_id, product_id in inserted}
    _mark_saved(order, alias)
    for line in lines:
        line.order, line.pk = order, line_ids[line.product_id]
        _mark_saved(line, alias)
    row.pk, row.created_at = inserted[0][0], order.created_at
    _mark_saved(row, alias)
    dispatch_on_commit(alias, [row])


def _mark_saved(instance, alias: str) -> None:
    instance._state.adding = False
    instance._state.db = alias
