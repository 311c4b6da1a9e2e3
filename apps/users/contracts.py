"""Public plain-data contracts of the users app (standard library only)."""

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class UserSummary:
    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    is_staff: bool
    is_active: bool


class UserNotFound(LookupError):
    pass


@dataclass(frozen=True, kw_only=True)
class StaffMember:
    """An active staff member as another deployable's admin needs them: their
    permissions (`app_label.codename`) and the hash that ends their sessions
    when the password changes."""

    id: uuid.UUID
    email: str
    first_name: str
    is_superuser: bool
    permissions: tuple[str, ...]
    session_auth_hash: str


@dataclass(frozen=True, kw_only=True)
class AddressData:
    """An entry of a customer's address book."""

    id: uuid.UUID
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    is_default_shipping: bool
    is_default_billing: bool


class AddressNotFound(LookupError):
    pass
