from django.apps import AppConfig
from django.conf import settings


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.orders import handlers

        handlers.register()
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "orders-idempotency-prune",
            {"task": "orders.idempotency_prune", "schedule": 3600.0},
        )
