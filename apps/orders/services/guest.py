"""A guest's access to their order: a link carrying a token derived from the
order id and SECRET_KEY (HMAC-SHA256), so nothing secret is stored, the link
can be shown again, and a wrong token is indistinguishable from no order."""

import hmac
import uuid

from django.utils.crypto import salted_hmac

from apps.orders.errors import OrderDoesNotExist
from apps.orders.models import Order

SALT = "apps.orders.guest-order"


def guest_token(*, order_id: uuid.UUID) -> str:
    return salted_hmac(SALT, str(order_id), algorithm="sha256").hexdigest()


def guest_order_check(*, order_id: uuid.UUID, token: str) -> None:
    """Raises 404 unless `token` opens this guest order (constant-time)."""
    expected = guest_token(order_id=order_id)
    is_guest_order = Order.objects.filter(pk=order_id, user_id__isnull=True).exists()
    # Bytes: compare_digest refuses str with non-ASCII characters.
    matches = hmac.compare_digest(expected.encode(), token.encode())
    if not (matches and is_guest_order):
        raise OrderDoesNotExist(f"Order {order_id} not found.")
