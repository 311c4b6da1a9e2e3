from django.core.management.base import BaseCommand

from apps.orders.services.settlement import payments_settle


class Command(BaseCommand):
    help = (
        "Settle payments left `processing` through the gateway's idempotency key "
        "and retry refunds owed: on cancelled orders, and staff refunds of paid "
        "orders left half-way."
    )

    def handle(self, *args, **options):
        r = payments_settle()
        self.stdout.write(
            f"settled {r['settled']} payments: {r['paid']} paid, "
            f"{r['refunded']} refunded, {r['failed']} failed, "
            f"{r['declined']} declined, {r['unresolved']} unresolved; "
            f"{r['refunds_retried']} refunds owed retried, "
            f"{r['refunds_owed']} still owed"
        )
