from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import signals

        from apps.users import handlers, signing
        from apps.users.services import account_mail

        handlers.register()
        signing.token_backend_install()
        signals.request_started.connect(account_mail.request_started)
        signals.request_finished.connect(account_mail.request_finished)


class ShopAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site whose login the users app throttles."""

    default = False  # UsersConfig stays this module's default

    default_site = "apps.users.admin_site.ShopAdminSite"
