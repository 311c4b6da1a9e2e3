"""`wait_for_migrations`, the init container of web, workers and beat: it
passes once every database of the deployable is migrated and fails, saying
what is missing, when the migrate Job has not caught up in time."""

import io
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from apps.common.management.commands import wait_for_migrations
from apps.common.provisioning import unapplied_migrations

pytestmark = pytest.mark.django_db


def unapply_latest(app: str) -> tuple[str, str]:
    """Forget the app's latest migration on its database, as if a new release
    brought it and the migrate Job had not run yet; returns (alias, label)."""
    alias = settings.APP_DATABASES[app]
    recorder = MigrationRecorder(connections[alias])
    latest = recorder.migration_qs.filter(app=app).latest("id")
    recorder.record_unapplied(app, latest.name)
    return alias, f"{app}.{latest.name}"


def wait(**options) -> str:
    out = io.StringIO()
    call_command("wait_for_migrations", stdout=out, **options)
    return out.getvalue()


def test_a_migrated_deployable_passes_at_once():
    started = time.monotonic()

    output = wait(timeout=5)

    assert time.monotonic() - started < 5
    assert output == f"migrated: {', '.join(settings.DATABASES)}\n"


def test_an_unapplied_migration_waits_then_fails_naming_it():
    alias, label = unapply_latest("catalog")
    out = io.StringIO()
    started = time.monotonic()

    with pytest.raises(CommandError) as failure:
        call_command("wait_for_migrations", timeout=0.6, interval=0.2, stdout=out)

    assert time.monotonic() - started >= 0.6
    assert str(failure.value) == (
        f"Migrations still missing after 0.6 s: {alias}: 1 unapplied: {label}"
    )
    assert out.getvalue().startswith(f"waiting for migrations of {alias}\n")


def test_it_passes_once_the_migrate_job_has_caught_up(monkeypatch):
    alias, label = unapply_latest("orders")
    app, name = label.split(".")

    def migrate_job_finishes(seconds):
        MigrationRecorder(connections[alias]).record_applied(app, name)

    monkeypatch.setattr(wait_for_migrations, "sleep", migrate_job_finishes)

    output = wait(timeout=30)

    assert output == (
        f"waiting for migrations of {alias}\n"
        f"migrated: {', '.join(settings.DATABASES)}\n"
    )


def test_the_adapter_agrees_with_migrate_check():
    alias = settings.APP_DATABASES["catalog"]
    assert unapplied_migrations(alias) == []
    call_command("migrate", database=alias, check_unapplied=True, verbosity=0)

    _, label = unapply_latest("catalog")

    assert unapplied_migrations(alias) == [label]
    with pytest.raises(SystemExit) as check:
        call_command("migrate", database=alias, check_unapplied=True, verbosity=0)
    assert check.value.code == 1
