from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from apps.users import handlers, signing

        handlers.register()
        signing.token_backend_install()
