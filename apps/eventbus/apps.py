from django.apps import AppConfig


class EventbusConfig(AppConfig):
    """Kernel: outbox, inbox and dead letters. Knows no domain app; apps
    subscribe to it in their own `ready()`."""

    name = "apps.eventbus"
    label = "eventbus"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.common.metrics import register_scrape_collector
        from apps.eventbus.metrics import OutboxBacklogCollector

        register_scrape_collector(OutboxBacklogCollector())
