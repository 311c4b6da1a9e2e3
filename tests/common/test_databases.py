"""How DATABASES is built from URLs (config/databases.py); no database needed."""

from pathlib import Path

import environ

from config.databases import PREPARE_THRESHOLD, database_config


def config_of(url: str) -> dict:
    return database_config(
        environ.Env(), url, conn_max_age=60, test_dir=Path("/tmp/unused")
    )


def test_postgresql_binds_server_side_and_prepares_repeated_statements(monkeypatch):
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)

    options = config_of("postgres://u@db:5432/shop")["OPTIONS"]

    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == PREPARE_THRESHOLD


def test_prepared_statements_can_be_turned_off_for_a_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_PREPARED_STATEMENTS", "false")

    options = config_of("postgres://u@db:5432/shop")["OPTIONS"]

    assert options == {"server_side_binding": True, "prepare_threshold": None}


def test_options_in_the_url_win(monkeypatch):
    monkeypatch.delenv("DATABASE_PREPARED_STATEMENTS", raising=False)

    options = config_of("postgres://u@db:5432/shop?prepare_threshold=20")["OPTIONS"]

    assert options["prepare_threshold"] == 20


def test_sqlite_gets_neither(tmp_path):
    options = database_config(
        environ.Env(), "sqlite:///x.sqlite3", conn_max_age=0, test_dir=tmp_path
    )["OPTIONS"]

    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
