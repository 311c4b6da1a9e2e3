from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "apps.inventory"
    label = "inventory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.common.metrics import register_scrape_collector
        from apps.inventory import handlers
        from apps.inventory.metrics import StockCollector

        handlers.register()
        register_scrape_collector(StockCollector())
