"""Demo users for `manage.py seed_demo`, created through the services
(private; safe to run again)."""

import os

from apps.users.selectors import user_find_by_email
from apps.users.services.accounts import staff_create, user_register

STAFF = ("DEMO_STAFF_EMAIL", "staff@example.com", "staff-demo-pass-1")
CUSTOMER = ("DEMO_CUSTOMER_EMAIL", "customer@example.com", "customer-demo-pass-1")


def _credentials(email_var: str, email: str, password: str) -> tuple[str, str]:
    password_var = email_var.replace("EMAIL", "PASSWORD")
    return os.environ.get(email_var, email), os.environ.get(password_var, password)


def demo_customer_email() -> str:
    return _credentials(*CUSTOMER)[0]


def seed(*, stdout) -> None:
    email, password = _credentials(*STAFF)
    if user_find_by_email(email) is None:
        staff_create(
            email=email, password=password, first_name="Demo", last_name="Staff"
        )
    stdout.write(f"demo staff: {email} / {password}")

    email, password = _credentials(*CUSTOMER)
    if user_find_by_email(email) is None:
        user_register(
            email=email, password=password, first_name="Demo", last_name="Customer"
        )
    stdout.write(f"demo customer: {email} / {password}")
