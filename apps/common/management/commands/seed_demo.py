"""Idempotent demo data. Each app contributes through its own `demo.seed()`,
loaded by name so the kernel imports no domain app."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand

# Order matters: later apps build on what earlier ones published.
SEED_ORDER = ["users", "catalog", "inventory", "orders"]


class Command(BaseCommand):
    help = "Create demo users, catalog, stock and an order (safe to run again)."

    def handle(self, *args, **options):
        for app in SEED_ORDER:
            if app not in settings.DOMAIN_APPS:
                continue
            try:
                module = importlib.import_module(f"apps.{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"apps.{app}.demo":
                    raise
                continue
            module.seed(stdout=self.stdout)
