"""Creating an app's PostgreSQL database when it does not exist yet."""

import psycopg
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
