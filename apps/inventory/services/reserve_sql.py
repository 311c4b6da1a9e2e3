"""A reservation in one SQL statement on PostgreSQL (private).

The portable path (SQLite, the embedded default) writes the reservation, its
lines, the ledger rows and each stock row in separate statements. On
PostgreSQL all of that is one statement of data-modifying CTEs, so a
reservation costs BEGIN, this statement, one outbox INSERT and COMMIT:

- `locked` takes the row locks of the order's stock items in product-id order
  (FOR UPDATE below ORDER BY locks rows as the sort emits them), and the
  UPDATE joins on it, so it only ever touches rows already locked in that
  order: two orders for (A, B) and (B, A) queue on A instead of deadlocking;
- `changed` is one conditional UPDATE over all lines: a row whose change would
  break 0 <= reserved <= on hand is left out (the condition is re-checked on
  the latest committed row after a wait, as for a single-row UPDATE);
- the reservation, line and ledger rows are inserted only if every line was
  changed (`complete`), otherwise the caller raises and rolls back;
- a second reservation of the same order fails on the unique order id
  (IntegrityError), exactly as the portable path does.
"""

import datetime as dt
import uuid

from django.db import connections

from apps.common.db import alias_for
from apps.inventory.models import (
    Reservation,
    ReservationLine,
    StockItem,
    StockMovement,
)

APP = "inventory"

_SQL = f"""
WITH wanted (product_id, quantity) AS (
    SELECT * FROM unnest(%(products)s::uuid[], %(quantities)s::integer[])
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
)
SELECT product_id, on_hand, reserved, version FROM changed ORDER BY product_id
"""


def reserve_in_one_statement(
    *,
    reservation_id: uuid.UUID,
    order_id: uuid.UUID,
    wanted: dict[uuid.UUID, int],
    expires_at: dt.datetime,
    now: dt.datetime,
    kind: str,
    reference: str,
    actor: str,
) -> list[tuple[uuid.UUID, int, int, int]]:
    """Reserve `wanted` (product id -> quantity, sorted) for the order inside
    the caller's transaction. Returns the new (product id, on hand, reserved,
    version) of every line that could be reserved, in product-id order; the
    reservation was written only if that is every line."""
    with connections[alias_for(APP)].cursor() as cursor:
        cursor.execute(
            _SQL,
            {
                "products": list(wanted),
                "quantities": list(wanted.values()),
                "line_count": len(wanted),
                "reservation_id": reservation_id,
                "order_id": order_id,
                "status": Reservation.Status.ACTIVE,
                "expires_at": expires_at,
                "now": now,
                "kind": kind,
                "reference": reference[:200],
                "actor": actor[:100],
            },
        )
        return cursor.fetchall()
