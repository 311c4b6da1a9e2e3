from django.apps import AppConfig


class StaffReplicaConfig(AppConfig):
    name = "apps.users.staff_replica"
    label = "staff_replica"
    default_auto_field = "django.db.models.BigAutoField"
