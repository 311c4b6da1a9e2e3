from django.apps import AppConfig


class EventbusConfig(AppConfig):
    """Kernel: outbox, inbox and dead letters. Knows no domain app; apps
    subscribe to it in their own `ready()`."""

    name = "apps.eventbus"
    label = "eventbus"
    default_auto_field = "django.db.models.BigAutoField"
