"""A test-only consumer: `catalog` applies UserRegistered by writing a row to a
scratch table in its own database, in the handler's transaction. Its behaviour
is chosen by the event's e-mail prefix so one worker serves every test:

- `ok-...`    applies
- `fail-...`  raises until `fix()` was called (a row in probe_switch)
- `slow-...`  first attempt writes its pid to PROBE_DIR/<event_id> and sleeps
- `chain-...` applies and publishes a follow-up ProductDeactivated
- `clash-...` breaks a unique constraint of its own (an IntegrityError that is
  not the inbox's)
"""

import os
import time
from pathlib import Path

from django.db import connections

from apps.catalog.events import ProductDeactivated
from apps.common import context
from apps.common.db import alias_for
from apps.eventbus import registry
from apps.eventbus.api import publish
from apps.users.events import UserRegistered

CONSUMER = "catalog"
EFFECTS = "probe_effect"


def alias() -> str:
    return alias_for(CONSUMER)


def create_tables() -> None:
    with connections[alias()].cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {EFFECTS} (event_id varchar(36), "
            "email varchar(200), correlation_id varchar(128), "
            "causation_id varchar(128), backend varchar(20))"
        )
        cursor.execute("CREATE TABLE IF NOT EXISTS probe_switch (name varchar(20))")
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS probe_unique (name varchar(20) PRIMARY KEY)"
        )
        cursor.execute(f"DELETE FROM {EFFECTS}")
        cursor.execute("DELETE FROM probe_switch")
        cursor.execute("DELETE FROM probe_unique")


def drop_tables() -> None:
    with connections[alias()].cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {EFFECTS}")
        cursor.execute("DROP TABLE IF EXISTS probe_switch")
        cursor.execute("DROP TABLE IF EXISTS probe_unique")


def effects() -> list[tuple[str, str, str, str]]:
    """(event_id, email, correlation_id, causation_id) of every applied event."""
    with connections[alias()].cursor() as cursor:
        cursor.execute(
            f"SELECT event_id, email, correlation_id, causation_id FROM {EFFECTS} "
            "ORDER BY event_id, email"
        )
        return [tuple(row) for row in cursor.fetchall()]


def backends() -> set[str]:
    """The database sessions (PostgreSQL backend pids) that applied events."""
    with connections[alias()].cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT backend FROM {EFFECTS}")
        return {row[0] for row in cursor.fetchall()}


def _backend() -> str:
    connection = connections[alias()]
    if connection.vendor != "postgresql":
        return ""
    return str(connection.connection.info.backend_pid)


def fix() -> None:
    with connections[alias()].cursor() as cursor:
        cursor.execute("INSERT INTO probe_switch (name) VALUES ('fixed')")


def _is_fixed(cursor) -> bool:
    cursor.execute("SELECT count(*) FROM probe_switch")
    return cursor.fetchone()[0] > 0


def on_users_user_registered(event: UserRegistered, meta) -> None:
    with connections[alias()].cursor() as cursor:
        if event.email.startswith("fail-") and not _is_fixed(cursor):
            raise RuntimeError(f"probe handler broken for {event.email}")
        if event.email.startswith("clash-"):
            for _ in range(2):
                cursor.execute("INSERT INTO probe_unique (name) VALUES ('clash')")
        if event.email.startswith("slow-"):
            marker = Path(os.environ["PROBE_DIR"]) / str(meta.event_id)
            if not marker.exists():
                marker.write_text(str(os.getpid()))
                time.sleep(10)  # killed in here by the test
        cursor.execute(
            f"INSERT INTO {EFFECTS} VALUES (%s, %s, %s, %s, %s)",
            [
                str(meta.event_id),
                event.email,
                context.correlation_id.get() or "",
                context.causation_id.get() or "",
                _backend(),
            ],
        )
    if event.email.startswith("chain-"):
        publish(ProductDeactivated(product_id=event.user_id))


def register() -> None:
    registry.subscribe(CONSUMER, UserRegistered, on_users_user_registered)
