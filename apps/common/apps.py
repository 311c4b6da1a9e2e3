from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared kernel: no models, no domain logic, imports no domain app."""

    name = "apps.common"
    label = "common"

    def ready(self):
        from django.db.backends.signals import connection_created

        from apps.common import metrics, tracing

        connection_created.connect(
            metrics.install_query_counter, dispatch_uid="common.query_counter"
        )
        if tracing.tracing_requested():
            tracing.configure_tracing()
