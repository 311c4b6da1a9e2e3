import argparse
import json
import uuid

from django.core.management.base import BaseCommand, CommandError

from apps.eventbus.deadletters import dead_letters, replay_dead_letters


def _event_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CommandError(f"not an event id (UUID): {value!r}") from None


class Command(BaseCommand):
    help = (
        "Events a consumer could not apply after EVENTS_MAX_ATTEMPTS attempts "
        "(or could never apply: unknown type or version). Dead letters are "
        "addressed by EVENT_ID (the event's UUID), optionally narrowed with "
        "--consumer.\n"
        "  list                     pending dead letters\n"
        "  show EVENT_ID            envelope and error (replayed ones too)\n"
        "  replay EVENT_ID | --all  hand them to their consumer again; the "
        "inbox makes an already applied event a no-op"
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--consumer", help="Only this consuming app.")
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List pending dead letters.")
        show = sub.add_parser("show", help="Show one event's dead letters.")
        show.add_argument("event_id", type=_event_id, help="The event's UUID.")
        replay = sub.add_parser("replay", help="Replay dead letters.")
        target = replay.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "event_id", nargs="?", type=_event_id, help="The event's UUID."
        )
        target.add_argument("--all", action="store_true", help="Every pending one.")

    def handle(self, *args, action, consumer, **options):
        if action == "list":
            self._list(consumer)
        elif action == "show":
            self._show(consumer, options["event_id"])
        else:
            event_id = None if options["all"] else options["event_id"]
            count = replay_dead_letters(consumer=consumer, event_id=event_id)
            if event_id is not None and count == 0:
                raise CommandError(f"no pending dead letter for event {event_id}")
            self.stdout.write(f"replayed {count} dead letter(s)")

    def _list(self, consumer):
        letters = list(dead_letters(consumer=consumer))
        for letter in letters:
            error = letter.error.splitlines()[-1] if letter.error else ""
            self.stdout.write(
                f"{letter.event_id}  {letter.consumer:<10} {letter.event_type}  "
                f"attempts={letter.attempts}  {letter.created_at:%Y-%m-%d %H:%M:%S}  "
                f"{error}"
            )
        self.stdout.write(f"{len(letters)} pending dead letter(s)")

    def _show(self, consumer, event_id):
        letters = list(
            dead_letters(consumer=consumer, event_id=event_id, include_replayed=True)
        )
        if not letters:
            raise CommandError(f"no dead letter for event {event_id}")
        for letter in letters:
            replayed = letter.replayed_at.isoformat() if letter.replayed_at else "no"
            self.stdout.write(
                f"event {letter.event_id} for {letter.consumer}\n"
                f"type: {letter.event_type}\n"
                f"attempts: {letter.attempts}\n"
                f"dead-lettered at: {letter.created_at.isoformat()}\n"
                f"replayed: {replayed}\n"
                f"error: {letter.error}\n"
                f"envelope: {json.dumps(letter.envelope, indent=2, sort_keys=True)}"
            )
