from django.apps import AppConfig
from django.conf import settings


class CommonConfig(AppConfig):
    """Shared kernel: no models, no domain logic, imports no domain app."""

    name = "apps.common"
    label = "common"

    def ready(self):
        from django.db.backends.signals import connection_created

        from apps.common import breaker, health, metrics, tracing
        from apps.common.remote.client import breaker_for

        connection_created.connect(
            metrics.install_query_counter, dispatch_uid="common.query_counter"
        )
        metrics.register_scrape_collector(health.ReadinessCollector())
        metrics.register_scrape_collector(breaker.BreakerStateCollector())
        for app in settings.ALL_DOMAIN_APPS:
            if app not in settings.DOMAIN_APPS:  # called over HTTP from here
                breaker.watch(breaker_for(app=app))
        if tracing.tracing_requested():
            tracing.configure_tracing()
