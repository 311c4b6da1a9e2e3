from django.core.management.base import BaseCommand

from apps.orders.services.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than IDEMPOTENCY_KEY_TTL_HOURS."

    def handle(self, *args, **options):
        deleted = idempotency_prune()
        self.stdout.write(f"deleted {deleted} expired idempotency records")
