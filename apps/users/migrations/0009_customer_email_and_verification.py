from django.db import migrations, models


def mark_existing_addresses_verified(apps, schema_editor):
    # Accounts made before verification existed keep every right they had.
    User = apps.get_model("users", "User")
    User.objects.using(schema_editor.connection.alias).filter(
        email_verified_at__isnull=True
    ).update(email_verified_at=models.F("date_joined"))


class Migration(migrations.Migration):
    dependencies = [("users", "0008_staff_roles")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(
            mark_existing_addresses_verified, migrations.RunPython.noop
        ),
        migrations.RenameModel(old_name="OrderEmail", new_name="CustomerEmail"),
        migrations.AlterField(
            model_name="customeremail",
            name="order_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.RenameIndex(
            model_name="customeremail",
            new_name="users_customeremail_unsent",
            old_name="users_orderemail_unsent",
        ),
    ]
