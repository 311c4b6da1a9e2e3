"""The outbox backlog, computed at scrape time over every database alias."""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from apps.eventbus.models import OutboxEvent

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
