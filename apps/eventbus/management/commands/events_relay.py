import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.eventbus.outbox import relay_once

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send outbox rows that are still unsent (broker was down, process "
        "crashed) to their consumers, oldest first, in batches. Rows are locked "
        "with SKIP LOCKED, so several relays may run at once without sending a "
        "row twice. Without --once it repeats every EVENTS_RELAY_INTERVAL_SECONDS "
        "until SIGINT or SIGTERM (Celery beat runs the same job as "
        "`eventbus.relay`)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Relay one pass and exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between passes (default: EVENTS_RELAY_INTERVAL_SECONDS).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help="Rows per batch (default: EVENTS_RELAY_BATCH_SIZE).",
        )

    def handle(self, *args, once, interval, batch_size, **options):
        if once:
            sent = relay_once(batch_size=batch_size)
            self.stdout.write(f"relayed {sent} event(s)")
            return
        interval = interval or settings.EVENTS_RELAY_INTERVAL_SECONDS
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"relaying every {interval:g}s; SIGINT/SIGTERM stops")
        while not stop.is_set():
            try:
                sent = relay_once(batch_size=batch_size)
            except Exception:  # noqa: BLE001 - broker down: try again next pass
                logger.warning("relay pass failed; retrying", exc_info=True)
            else:
                if sent:
                    self.stdout.write(f"relayed {sent} event(s)")
            stop.wait(interval)
        self.stdout.write("relay stopped")
