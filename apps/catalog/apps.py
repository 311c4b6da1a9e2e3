from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.backends.signals import connection_created

        from apps.catalog import handlers
        from apps.catalog.selectors.search import search_session_setup

        handlers.register()
        connection_created.connect(
            search_session_setup, dispatch_uid="catalog.search_session_setup"
        )
