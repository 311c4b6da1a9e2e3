"""Demo data for trying the shop (`make run`); refuses production settings by
default because it creates accounts with known passwords."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.common.errors import ValidationFailed
from apps.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo accounts (known passwords), catalog, stock and one order;"
        " only what is missing, so running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even under production settings.",
        )

    def handle(self, *args, allow_production: bool, **options):
        if settings.IS_PRODUCTION and not allow_production:
            raise CommandError(
                "refusing to seed demo accounts with known passwords under"
                " production settings; pass --allow-production to seed anyway"
            )
        try:
            seed_demo(say=self.stdout.write)
        except ValidationFailed as exc:
            raise CommandError(f"{exc.detail}: {exc.extra['errors']}") from exc
