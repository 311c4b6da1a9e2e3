from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_carts_and_checkout"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "confirmed"])),
                fields=["user_id"],
                name="orders_unpaid_by_user",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["pending", "confirmed"]),
                    models.Q(("email", ""), _negated=True),
                ),
                fields=["email"],
                name="orders_unpaid_by_email",
            ),
        ),
    ]
