"""Per app: imports from other apps, events published and consumed, database,
and every foreign key, table access or import that crosses a boundary."""

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from apps.common.boundaries import boundaries_report


class Command(BaseCommand):
    help = (
        "Report what each app imports from others, the events it publishes and "
        "consumes, its database alias, and any relation, table access or import "
        "that crosses a boundary (exit status 1 if one does)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="Print the report as JSON."
        )

    def handle(self, *args, **options):
        reports = boundaries_report()
        if options["json"]:
            self.stdout.write(json.dumps([asdict(r) for r in reports], indent=2))
        else:
            for report in reports:
                self._write(report)
        violations = sum(len(r.violations) for r in reports)
        if violations:
            raise CommandError(f"{violations} boundary violation(s)")
        if not options["json"]:
            self.stdout.write(self.style.SUCCESS("No boundary is crossed."))

    def _write(self, report):
        self.stdout.write(self.style.MIGRATE_HEADING(report.app))
        self.stdout.write(f"  database:  {report.database}")
        imported = sorted({imported for _, imported in report.imports})
        self.stdout.write(f"  imports:   {', '.join(imported) or '-'}")
        self.stdout.write(f"  publishes: {', '.join(report.publishes) or '-'}")
        self.stdout.write(f"  consumes:  {', '.join(report.consumes) or '-'}")
        for violation in report.violations:
            self.stdout.write(self.style.ERROR(f"  VIOLATION {violation}"))
