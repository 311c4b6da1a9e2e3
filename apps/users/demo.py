"""Demo users for `manage.py seed_demo` (private)."""

import os

from django.contrib.auth import get_user_model

DEMO_USERS = [
    (
        "DEMO_STAFF_EMAIL",
        "staff@example.com",
        "DEMO_STAFF_PASSWORD",
        "staff-demo-pass-1",
        True,
    ),
    (
        "DEMO_CUSTOMER_EMAIL",
        "customer@example.com",
        "DEMO_CUSTOMER_PASSWORD",
        "customer-demo-pass-1",
        False,
    ),
]


def seed(*, stdout) -> None:
    User = get_user_model()
    for email_var, email, password_var, password, is_staff in DEMO_USERS:
        email = os.environ.get(email_var, email)
        password = os.environ.get(password_var, password)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            User.objects.create_user(email, password, is_staff=is_staff)
        role = "staff" if is_staff else "customer"
        stdout.write(f"demo {role}: {email} / {password}")
