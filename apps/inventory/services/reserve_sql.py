"""A reservation in one SQL statement on PostgreSQL (private).

The portable path (SQLite, the embedded default) writes the reservation, its
lines, the ledger rows and each stock row in separate statements. On
PostgreSQL all of that is one statement of data-modifying CTEs, so a
reservation costs BEGIN, this statement and COMMIT; an order of one product
(outside a transaction) costs this statement alone, in autocommit, and its
stock row is locked only inside the server, as for a bare conditional UPDATE:

- `locked` takes the row locks of the order's stock items in product-id order
  (FOR UPDATE below ORDER BY locks rows as the sort emits them), and the
  UPDATE joins on it, so it only ever touches rows already locked in that
  order: two orders for (A, B) and (B, A) queue on A instead of deadlocking;
- `changed` is one conditional UPDATE over all lines: a row whose change would
  break 0 <= reserved <= on hand is left out (the condition is re-checked on
  the latest committed row after a wait, as for a single-row UPDATE);
- the reservation, line and ledger rows are inserted only if every line was
  changed (`complete`), otherwise the caller raises and rolls back;
- the outbox rows (StockReserved, then one StockLevelChanged per product,
  whose payload carries the version only the UPDATE knows) are inserted in
  the same statement, also only if every line was changed; the caller hands
  them to `dispatch_on_commit` as `publish` would;
- a second reservation of the same order fails on the unique order id
  (IntegrityError), exactly as the portable path does.
"""

import datetime as dt
import json
import uuid

from django.db import connections

from apps.common.db import alias_for
from apps.eventbus.api import dispatch_on_commit, outbox_row
from apps.eventbus.models import OutboxEvent
from apps.inventory.events import StockLevelChanged, StockReserved
from apps.inventory.models import (
    Reservation,
    ReservationLine,
    StockItem,
    StockMovement,
)
from apps.inventory.services.stock import level_event

APP = "inventory"

_SQL = f"""
WITH wanted (product_id, quantity, event_id) AS (
    SELECT * FROM unnest(
        %(products)s::uuid[], %(quantities)s::integer[], %(event_ids)s::uuid[]
    )
),
locked AS (
    SELECT product_id FROM {StockItem._meta.db_table}
    WHERE product_id = ANY(%(products)s::uuid[])
    ORDER BY product_id FOR UPDATE
),
changed AS (
    UPDATE {StockItem._meta.db_table} AS item
    SET reserved = item.reserved + wanted.quantity,
        version = item.version + 1,
        updated_at = %(now)s
    FROM locked, wanted
    WHERE item.product_id = locked.product_id
      AND item.product_id = wanted.product_id
      AND item.on_hand >= item.reserved + wanted.quantity
    RETURNING item.product_id, item.on_hand, item.reserved, item.version
),
complete AS (
    SELECT count(*) = %(line_count)s AS yes FROM changed
),
reservation AS (
    INSERT INTO {Reservation._meta.db_table}
        (id, order_id, status, expires_at, created_at, updated_at)
    SELECT %(reservation_id)s, %(order_id)s, %(status)s, %(expires_at)s,
           %(now)s, %(now)s
    FROM complete WHERE complete.yes
    RETURNING id
),
lines AS (
    INSERT INTO {ReservationLine._meta.db_table}
        (reservation_id, product_id, quantity)
    SELECT reservation.id, wanted.product_id, wanted.quantity
    FROM reservation, wanted
),
ledger AS (
    INSERT INTO {StockMovement._meta.db_table}
        (stock_item_id, kind, on_hand_delta, reserved_delta, reference, actor,
         created_at)
    SELECT wanted.product_id, %(kind)s, 0, wanted.quantity, %(reference)s,
           %(actor)s, %(now)s
    FROM reservation, wanted
    ORDER BY wanted.product_id
),
events (position, product_id, event_id, event_type, version, payload) AS (
    SELECT 0, NULL::uuid, %(reserved_id)s::uuid, %(reserved_type)s,
           %(reserved_version)s, %(reserved_payload)s::jsonb
    UNION ALL
    SELECT 1, changed.product_id, wanted.event_id, %(level_type)s,
           %(level_version)s,
           jsonb_build_object(
               'product_id', changed.product_id,
               'on_hand', changed.on_hand,
               'reserved', changed.reserved,
               'available', changed.on_hand - changed.reserved,
               'version', changed.version
           )
    FROM changed JOIN wanted USING (product_id)
),
outbox AS (
    INSERT INTO {OutboxEvent._meta.db_table}
        (event_id, event_type, version, producer, occurred_at, correlation_id,
         causation_id, payload, trace_context, created_at)
    SELECT events.event_id, events.event_type, events.version, %(producer)s,
           %(occurred_at)s, %(correlation_id)s, %(causation_id)s,
           events.payload, %(trace_context)s::jsonb, %(now)s
    FROM events, reservation
    ORDER BY events.position, events.product_id
    RETURNING id, event_id
)
SELECT changed.product_id, changed.on_hand, changed.reserved, changed.version,
       level.id, (SELECT id FROM outbox WHERE event_id = %(reserved_id)s::uuid)
FROM changed
JOIN wanted USING (product_id)
LEFT JOIN outbox AS level ON level.event_id = wanted.event_id
ORDER BY changed.product_id
"""


def reserve_in_one_statement(
    *,
    reservation: Reservation,
    wanted: dict[uuid.UUID, int],
    reserved: StockReserved,
    now: dt.datetime,
    kind: str,
    actor: str,
) -> set[uuid.UUID]:
    """Reserve `wanted` (product id -> quantity, sorted) for the unsaved
    `reservation` inside the caller's transaction and publish `reserved` and
    the new levels. Returns the products whose stock row was changed: unless
    that is every product, nothing but those rows was written and the caller
    must roll back."""
    reserved_row = outbox_row(reserved)
    level_rows = {
        # The payload is built by the statement; this one is replaced below.
        product_id: outbox_row(level_event(product_id, 0, 0, 0), like=reserved_row)
        for product_id in wanted
    }
    alias = alias_for(APP)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            _SQL,
            {
                "products": list(wanted),
                "quantities": list(wanted.values()),
                "event_ids": [row.event_id for row in level_rows.values()],
                "line_count": len(wanted),
                "reservation_id": reservation.id,
                "order_id": reservation.order_id,
                "status": reservation.status,
                "expires_at": reservation.expires_at,
                "now": now,
                "kind": kind,
                "reference": str(reservation.order_id)[:200],
                "actor": actor[:100],
                "producer": reserved_row.producer,
                "occurred_at": reserved_row.occurred_at,
                "correlation_id": reserved_row.correlation_id,
                "causation_id": reserved_row.causation_id,
                "trace_context": json.dumps(reserved_row.trace_context),
                "reserved_id": reserved_row.event_id,
                "reserved_type": reserved_row.event_type,
                "reserved_version": reserved_row.version,
                "reserved_payload": json.dumps(reserved_row.payload),
                "level_type": StockLevelChanged.event_type,
                "level_version": StockLevelChanged.major_version(),
            },
        )
        rows = cursor.fetchall()
    if len(rows) < len(wanted):
        return {row[0] for row in rows}
    for product_id, on_hand, reserved_count, version, level_id, reserved_id in rows:
        level_rows[product_id].pk = level_id
        level_rows[product_id].payload = level_event(
            product_id, on_hand, reserved_count, version
        ).to_payload()
        reserved_row.pk = reserved_id
    for row in (reserved_row, *level_rows.values()):
        row.created_at = now
    dispatch_on_commit(alias, [reserved_row, *level_rows.values()])
    return set(level_rows)
