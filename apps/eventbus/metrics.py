"""The event bus's figures computed at scrape time: the outbox backlog and the
dead letters over every database alias, the broker's queue lengths."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from kombu import Connection
from prometheus_client.core import GaugeMetricFamily

from apps.eventbus.models import DeadLetter, OutboxEvent

logger = logging.getLogger(__name__)


class OutboxBacklogCollector:
    """Unsent outbox rows and the age of the oldest, per database alias."""

    def collect(self):
        unsent = GaugeMetricFamily(
            "outbox_unsent_events", "Outbox rows not yet sent.", labels=["alias"]
        )
        oldest = GaugeMetricFamily(
            "outbox_oldest_unsent_age_seconds",
            "Age of the oldest unsent outbox row (0 when none).",
            labels=["alias"],
        )
        now = timezone.now()
        for alias in settings.DATABASES:
            try:
                row = (
                    OutboxEvent.objects.using(alias)
                    .filter(sent_at__isnull=True)
                    .aggregate(count=Count("id"), first=Min("created_at"))
                )
            except DatabaseError:
                # A database that is down has no figure; /readyz reports it.
                logger.warning("outbox backlog of %s unavailable", alias)
                continue
            age = (now - row["first"]).total_seconds() if row["first"] else 0.0
            unsent.add_metric([alias], row["count"])
            oldest.add_metric([alias], max(age, 0.0))
        yield unsent
        yield oldest


class DeadLettersCollector:
    """Dead letters not yet replayed, per database alias and consumer."""

    def collect(self):
        family = GaugeMetricFamily(
            "events_dead_letters",
            "Dead letters not yet replayed.",
            labels=["alias", "consumer"],
        )
        for alias in settings.DATABASES:
            try:
                rows = list(
                    DeadLetter.objects.using(alias)
                    .filter(replayed_at__isnull=True)
                    .values("consumer")
                    .annotate(count=Count("id"))
                )
            except DatabaseError:
                logger.warning("dead letters of %s unavailable", alias)
                continue
            for row in rows:
                family.add_metric([alias, row["consumer"]], row["count"])
        yield family


class BrokerQueuesCollector:
    """Messages waiting in the queue of each app hosted here (the Redis
    list kombu keeps per queue)."""

    def collect(self):
        family = GaugeMetricFamily(
            "broker_queue_messages",
            "Messages waiting in an app's Celery queue.",
            labels=["queue"],
        )
        try:
            with Connection(settings.CELERY_BROKER_URL, connect_timeout=1) as conn:
                client = conn.default_channel.client
                for queue in settings.DOMAIN_APPS:
                    family.add_metric([queue], client.llen(queue))
        except Exception:  # noqa: BLE001 - a broker that is down has no figure
            logger.warning("broker queue lengths unavailable")
        yield family
