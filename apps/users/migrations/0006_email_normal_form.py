"""Stored addresses take the normal form lookups now use (NFKC, case folded);
an address whose normal form another account already holds is left as is."""

from django.db import migrations


def to_normal_form(apps, schema_editor):
    User = apps.get_model("users", "User")
    db = schema_editor.connection.alias
    taken = set(User.objects.using(db).values_list("email", flat=True))
    for user in User.objects.using(db).only("pk", "email"):
        normal = User.objects.normalize_email(user.email)
        if normal != user.email and normal not in taken:
            User.objects.using(db).filter(pk=user.pk).update(email=normal)
            taken.add(normal)


class Migration(migrations.Migration):
    dependencies = [("users", "0005_order_email_next_attempt")]

    operations = [migrations.RunPython(to_normal_form, migrations.RunPython.noop)]
