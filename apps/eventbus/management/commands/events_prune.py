from django.core.management.base import BaseCommand

from apps.eventbus.outbox import prune_sent


class Command(BaseCommand):
    help = (
        "Delete outbox rows of every database that were sent more than the "
        "retention period ago (EVENTS_RETENTION_DAYS). Unsent rows are never "
        "deleted. Celery beat runs the same job hourly as `eventbus.prune`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="Retention in days (default: EVENTS_RETENTION_DAYS).",
        )

    def handle(self, *args, older_than_days, **options):
        deleted = prune_sent(older_than_days=older_than_days)
        self.stdout.write(f"pruned {deleted} sent event(s)")
