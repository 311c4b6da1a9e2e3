from django.apps import AppConfig


class EventbusConfig(AppConfig):
    """Kernel: outbox, inbox and dead letters. Knows no domain app; apps
    subscribe to it in their own `ready()`."""

    name = "apps.eventbus"
    label = "eventbus"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings

        from apps.common.breaker import watch
        from apps.common.metrics import register_scrape_collector
        from apps.eventbus.metrics import (
            BrokerQueuesCollector,
            DeadLettersCollector,
            OutboxBacklogCollector,
        )
        from apps.eventbus.outbox import broker_breaker

        register_scrape_collector(OutboxBacklogCollector())
        register_scrape_collector(DeadLettersCollector())
        if settings.CELERY_BROKER_URL:
            register_scrape_collector(BrokerQueuesCollector())
            watch(broker_breaker())
