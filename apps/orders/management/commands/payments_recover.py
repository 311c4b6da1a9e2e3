from django.core.management.base import BaseCommand

from apps.orders.services.payments import payments_recover_stale


class Command(BaseCommand):
    help = (
        "Settle payment attempts left `processing` (their client never came "
        "back) through the gateway's record of their idempotency key."
    )

    def handle(self, *args, **options):
        outcomes = payments_recover_stale()
        summary = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
        self.stdout.write(f"stale payments: {summary or 'none'}")
