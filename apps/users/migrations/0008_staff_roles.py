"""Staff roles as groups with their permissions (apps/users/roles.py)."""

from django.db import migrations

from apps.users.roles import STAFF_ROLES, role_groups


def create_roles(apps, schema_editor):
    role_groups(
        roles=list(STAFF_ROLES),
        models=(
            apps.get_model("auth", "Group"),
            apps.get_model("auth", "Permission"),
            apps.get_model("contenttypes", "ContentType"),
        ),
        using=schema_editor.connection.alias,
    )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(
        schema_editor.connection.alias
    ).filter(name__in=STAFF_ROLES.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0007_token_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
