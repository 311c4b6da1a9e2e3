"""`manage.py create_staff --email ops@example.com [--role orders]` (password
from --password, $STAFF_PASSWORD or a prompt): creates a staff account or
promotes an existing one, adding the roles given."""

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ValidationFailed
from apps.users.roles import STAFF_ROLES
from apps.users.services.accounts import staff_create


class Command(BaseCommand):
    help = "Create a staff user, or make an existing user staff."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", help="default: $STAFF_PASSWORD or prompt")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument(
            "--role",
            action="append",
            default=[],
            choices=list(STAFF_ROLES),
            help="a staff role's admin pages (repeatable); every staff member "
            "manages the catalog",
        )
        parser.add_argument(
            "--no-input", action="store_true", help="never prompt for a password"
        )

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get("STAFF_PASSWORD")
        if not password and not options["no_input"] and self.stdin_is_tty():
            password = getpass.getpass("Password (empty: keep the current one): ")
        try:
            user, created = staff_create(
                email=options["email"],
                password=password or None,
                first_name=options["first_name"],
                last_name=options["last_name"],
                roles=options["role"],
            )
        except ValidationFailed as exc:
            messages = [
                f"{field}: {' '.join(errors)}"
                for field, errors in exc.extra["errors"].items()
            ]
            raise CommandError("; ".join(messages)) from exc
        verb = "created" if created else "promoted to"
        roles = f" ({', '.join(options['role'])})" if options["role"] else ""
        self.stdout.write(f"{user.email} {verb} staff{roles}")

    @staticmethod
    def stdin_is_tty() -> bool:
        return os.isatty(0)
