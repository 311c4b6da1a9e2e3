"""Per app: database, events published and consumed, and every foreign key or
table access that crosses a boundary (imports are checked by lint-imports)."""

import json
from dataclasses import asdict

from django.core.management.base import BaseCommand, CommandError

from apps.common.boundaries import boundaries_report


class Command(BaseCommand):
    help = (
        "Report each app's database alias, the events it publishes and consumes,"
        " and any relation or table access that crosses a boundary (exit status"
        " 1 if one does)."
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
        self.stdout.write(f"  publishes: {', '.join(report.publishes) or '-'}")
        self.stdout.write(f"  consumes:  {', '.join(report.consumes) or '-'}")
        for violation in report.violations:
            self.stdout.write(self.style.ERROR(f"  VIOLATION {violation}"))
