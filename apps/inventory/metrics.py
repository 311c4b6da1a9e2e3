"""Inventory's Prometheus metrics: reservations by outcome, and at scrape time
the stock-outs and how far the reservation expiry job is behind."""

import logging

from django.db import DatabaseError
from django.db.models import Count, F, Min
from django.utils import timezone
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from apps.inventory.models import Reservation, StockItem

logger = logging.getLogger(__name__)

RESERVATIONS = Counter(
    "inventory_reservations_total",
    "Reservations by outcome: reserved, refused (a line short of stock), expired.",
    ["outcome"],
)


class StockCollector:
    """Products out of stock, and active reservations past their expiry."""

    def collect(self):
        out = GaugeMetricFamily(
            "inventory_products_out_of_stock",
            "Stock items with nothing available (on hand minus reserved <= 0).",
        )
        overdue = GaugeMetricFamily(
            "inventory_reservations_overdue",
            "Active reservations past their expiry time, not yet expired.",
        )
        lag = GaugeMetricFamily(
            "inventory_reservation_expiry_lag_seconds",
            "How long the oldest overdue reservation is past its expiry (0 when none).",
        )
        now = timezone.now()
        try:
            stock_outs = StockItem.objects.filter(on_hand__lte=F("reserved")).count()
            due = Reservation.objects.filter(
                status=Reservation.Status.ACTIVE, expires_at__lte=now
            ).aggregate(count=Count("id"), first=Min("expires_at"))
        except DatabaseError:
            logger.warning("inventory figures unavailable")
            return
        out.add_metric([], stock_outs)
        overdue.add_metric([], due["count"])
        lag.add_metric([], (now - due["first"]).total_seconds() if due["first"] else 0)
        yield out
        yield overdue
        yield lag
