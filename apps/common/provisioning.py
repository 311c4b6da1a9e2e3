"""Provisioning an app's database: creating it when it does not exist yet,
and telling which of its migrations are not applied.

`unapplied_migrations` is the one adapter over Django's migration executor
(not a documented API): tests/common/test_wait_for_migrations.py holds it to
`migrate --check`."""

import psycopg
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from psycopg import sql


def ensure_database_exists(config: dict) -> bool:
    """Returns True if it had to create the database."""
    if config["ENGINE"] != "django.db.backends.postgresql":
        return False
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "dbname": "postgres",
    }
    with psycopg.connect(
        **{k: v for k, v in params.items() if v}, autocommit=True
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if exists:
            return False
        conn.execute(
            sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"]))
        )
    return True


def unapplied_migrations(alias: str) -> list[str]:
    """What `migrate --database ALIAS` would apply, as `app_label.name`; raises
    django.db.DatabaseError when the database cannot be reached."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
