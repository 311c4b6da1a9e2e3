import uuid

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from apps.eventbus.outbox import replay


def _since(value: str):
    moment = parse_datetime(value)
    if moment is None or moment.tzinfo is None:
        raise CommandError(
            f"--since needs an ISO 8601 time with a UTC offset, e.g. "
            f"2026-11-24T01:00:00+00:00, not {value!r}"
        )
    return moment


def _event_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise CommandError(f"--id needs an event id (UUID), not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Re-publish events still in the outbox (sent or not; sent rows are kept "
        "EVENTS_RETENTION_DAYS) to every current subscriber, oldest first. "
        "Consumers are idempotent: an event a consumer already applied is a "
        "no-op there. At least one filter is required."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since", help="Events recorded at or after this ISO 8601 time."
        )
        parser.add_argument(
            "--type",
            dest="event_type",
            help="Only this type, <app>.<subject>.<action>.v<N>.",
        )
        parser.add_argument("--id", dest="event_id", help="Only this event id.")

    def handle(self, *args, since, event_type, event_id, **options):
        if not (since or event_type or event_id):
            raise CommandError("give at least one of --since, --type, --id")
        count = replay(
            since=_since(since) if since else None,
            event_type=event_type,
            event_id=_event_id(event_id) if event_id else None,
        )
        self.stdout.write(f"replayed {count} event(s)")
