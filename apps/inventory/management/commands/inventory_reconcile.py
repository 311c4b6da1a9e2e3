"""Check the stock invariants; print each violation, exit non-zero on any."""

from django.core.management.base import BaseCommand, CommandError

from apps.inventory import selectors


class Command(BaseCommand):
    help = (
        "Check 0 <= reserved <= on hand, reserved = active reservations and"
        " on hand = the ledger for every stock item."
    )

    def handle(self, *args, **options):
        violations = selectors.stock_violations()
        for violation in violations:
            self.stdout.write(violation)
        if violations:
            raise CommandError(f"{len(violations)} stock invariant violation(s)")
        self.stdout.write("stock is consistent")
