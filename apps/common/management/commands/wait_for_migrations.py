"""Wait until every database of this deployable is migrated (an init container
of web, workers and beat: a new release never serves an old schema)."""

from time import monotonic, sleep

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from apps.common.provisioning import unapplied_migrations


def pending_by_alias() -> dict[str, str]:
    """Per alias still behind, what it lacks (migrations, or why it cannot say)."""
    pending = {}
    for alias in settings.DATABASES:
        try:
            missing = unapplied_migrations(alias)
        except DatabaseError as exc:
            # Not created or not reachable yet: the migrate Job may still be on it.
            connections[alias].close()
            pending[alias] = f"unreachable ({str(exc).strip()})"
            continue
        if missing:
            pending[alias] = f"{len(missing)} unapplied: {', '.join(missing)}"
    return pending


class Command(BaseCommand):
    help = (
        "Exit 0 once no migration of any configured database is unapplied; "
        "fail after --timeout seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=600.0)
        parser.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, timeout, interval, **options):
        deadline = monotonic() + timeout
        while pending := pending_by_alias():
            if monotonic() >= deadline:
                raise CommandError(
                    f"Migrations still missing after {timeout:g} s: "
                    + "; ".join(f"{a}: {what}" for a, what in pending.items())
                )
            self.stdout.write(f"waiting for migrations of {', '.join(pending)}")
            sleep(min(interval, max(deadline - monotonic(), 0)))
        self.stdout.write(f"migrated: {', '.join(settings.DATABASES)}")
