from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared kernel: no models, no domain logic, imports no domain app."""

    name = "apps.common"
    label = "common"
