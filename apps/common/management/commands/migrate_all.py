"""Migrate every configured database (one per app in per-app mode)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from apps.common.provisioning import ensure_database_exists


class Command(BaseCommand):
    help = "Create missing PostgreSQL databases, then migrate every configured alias."

    def handle(self, *args, **options):
        for alias, config in settings.DATABASES.items():
            if ensure_database_exists(config):
                self.stdout.write(f"created database {config['NAME']}")
            self.stdout.write(self.style.MIGRATE_HEADING(f"Migrating {alias}"))
            call_command(
                "migrate",
                database=alias,
                interactive=False,
                verbosity=options["verbosity"],
            )
