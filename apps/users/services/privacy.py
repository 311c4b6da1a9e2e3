"""A customer's own data: exported as one document gathered from every app
that keeps personal data (through its public interface), and erased.

Erasure deletes the account here, ends its tokens and publishes
users.user.erased.v1, on which every other app erases or anonymizes what it
keeps (orders stay for accounting without their addresses). Catalog and
inventory keep no personal data.
"""

import dataclasses

from django.utils import timezone

from apps.common.db import atomic_for
from apps.eventbus.api import publish
from apps.orders.contracts import IN_PROGRESS_STATUSES
from apps.orders.interface import customer_data, order_list
from apps.users.errors import ErasureBlocked
from apps.users.events import UserErased
from apps.users.models import CustomerEmail, User
from apps.users.selectors import address_list, customer_stats
from apps.users.services.accounts import password_confirm
from apps.users.services.tokens import tokens_revoke_all

EXPORT_FORMAT = "shop.personal-data.v1"


def personal_data_export(*, user: User) -> dict:
    """The document: profile, addresses, orders, payments, notifications."""
    orders = customer_data(user_id=user.pk)
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "profile": {
            "id": user.pk,
            "email": user.email,
            "email_verified_at": user.email_verified_at,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "role": user.role,
            "date_joined": user.date_joined,
            "stats": customer_stats(user=user),
        },
        "addresses": [dataclasses.asdict(a) for a in orders.addresses],
        "address_book": list(
            address_list(user_id=user.pk).values(
                "name",
                "line1",
                "line2",
                "city",
                "postal_code",
                "country",
                "is_default_shipping",
                "is_default_billing",
            )
        ),
        "orders": [dataclasses.asdict(o) for o in orders.orders],
        "payments": [dataclasses.asdict(p) for p in orders.payments],
        "notifications": list(
            CustomerEmail.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values(
                "kind", "to_address", "subject", "order_id", "created_at", "sent_at"
            )
        ),
    }


def user_erase(*, user: User, password: str, client_address: str) -> None:
    """Delete the account (its tokens end everywhere) and have every app
    erase its data. The password is checked like a login (throttled); orders
    in progress must end first (ErasureBlocked)."""
    password_confirm(user=user, password=password, client_address=client_address)
    in_progress = [
        str(order.id)
        for order in order_list(user_id=user.pk)
        if order.status in IN_PROGRESS_STATUSES
    ]
    if in_progress:
        raise ErasureBlocked(order_ids=in_progress)
    with atomic_for(User):
        tokens_revoke_all(user=user)
        publish(UserErased(user_id=user.pk))
        user.delete()
