"""Builds DATABASES and the app -> alias map from the environment.

Kept out of the settings module so the rules (URL derivation, SQLite tuning,
persistent PostgreSQL connections) are testable on their own.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SQLITE_OPTIONS = {
    # Parallel writers wait for the lock instead of failing with "database is locked".
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


# Parameters travel apart from the SQL (server-side binding), so psycopg can
# prepare a statement once it has run PREPARE_THRESHOLD times on a connection
# and PostgreSQL stops parsing and planning it. Prepared statements live in
# the server session, so a transaction-mode pooler without prepared-statement
# support needs DATABASE_PREPARED_STATEMENTS=false (binding stays server-side).
PREPARE_THRESHOLD = 5


def postgres_options(*, prepared_statements: bool) -> dict:
    return {
        "server_side_binding": True,
        "prepare_threshold": PREPARE_THRESHOLD if prepared_statements else None,
    }


def derive_url(url: str, app: str) -> str:
    """`postgres://h/shop` -> `postgres://h/shop_catalog`; `sqlite:///x.sqlite3` -> `x_catalog.sqlite3`."""
    parts = urlsplit(url)
    path = parts.path
    if parts.scheme.startswith("sqlite"):
        stem, dot, suffix = path.rpartition(".")
        path = f"{stem}_{app}.{suffix}" if dot else f"{path}_{app}"
    else:
        path = f"{path.rstrip('/')}_{app}"
    return urlunsplit(parts._replace(path=path))


def database_config(env, url: str, *, conn_max_age: int, test_dir: Path) -> dict:
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        # A file (not :memory:) so tests see the same WAL/busy-timeout behaviour.
        name = Path(str(config["NAME"])).name or "db.sqlite3"
        test_dir.mkdir(exist_ok=True)
        config["TEST"] = {"NAME": str(test_dir / f"test_{name}")}
    else:
        config["CONN_MAX_AGE"] = conn_max_age
        config["CONN_HEALTH_CHECKS"] = conn_max_age != 0
    if config["ENGINE"] == "django.db.backends.postgresql":
        prepared = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
        config["OPTIONS"] = {
            **postgres_options(prepared_statements=prepared),
            **config.get("OPTIONS", {}),
        }
    return config


def topology_test_name(config: dict, *, hosted: list[str]) -> str:
    """The test database of `config` in a process hosting `hosted` only:
    `test_shop` -> `test_shop__catalog`, `test_db.sqlite3` -> `test_db__catalog.sqlite3`."""
    tag = "__" + "_".join(hosted)
    name = config.get("TEST", {}).get("NAME") or f"test_{config['NAME']}"
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(name)
        return str(path.with_name(f"{path.stem}{tag}{path.suffix}"))
    return f"{name}{tag}"


def build_databases(
    env,
    *,
    base_dir: Path,
    routing: str,
    apps: list[str],
    home_app: str,
    conn_max_age: int,
):
    if routing not in ("single", "per-app"):
        raise ValueError(
            f"DATABASE_ROUTING must be 'single' or 'per-app', not {routing!r}"
        )
    default_url = env("DATABASE_URL", default=f"sqlite:///{base_dir / 'db.sqlite3'}")
    test_dir = base_dir / ".test-databases"

    def config_for(url):
        return database_config(env, url, conn_max_age=conn_max_age, test_dir=test_dir)

    if routing == "single":
        return {"default": config_for(default_url)}, {app: "default" for app in apps}

    # Django's own tables need `default`: the home app's database, or in a
    # deployable without it the first hosted app's.
    default_app = home_app if home_app in apps else apps[0]
    databases, app_databases = {}, {}
    for app in apps:
        alias = "default" if app == default_app else app
        url = env(f"DATABASE_URL_{app.upper()}", default=derive_url(default_url, app))
        databases[alias] = config_for(url)
        app_databases[app] = alias
    return databases, app_databases
