"""Public functions other apps may call: plain data in, contracts out. They run
where this app is hosted (apps.common.remote), so this module imports only
contracts and the kernel; private modules are imported inside each body."""

import uuid

from apps.common.remote import interface_function
from apps.users.contracts import (
    AddressData,
    AddressNotFound,
    StaffMember,
    UserNotFound,
    UserSummary,
)


def _summary(user) -> UserSummary:
    return UserSummary(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        is_staff=user.is_staff,
        is_active=user.is_active,
    )


@interface_function(idempotent=True)
def user_get(*, user_id: uuid.UUID | str) -> UserSummary:
    """The user with `user_id`; raises UserNotFound."""
    from apps.users.selectors import user_find

    user = user_find(user_id)
    if user is None:
        raise UserNotFound(str(user_id))
    return _summary(user)


@interface_function(idempotent=True)
def user_get_by_email(*, email: str) -> UserSummary:
    """The user with `email` (any case); raises UserNotFound."""
    from apps.users.selectors import user_find_by_email

    user = user_find_by_email(email)
    if user is None:
        raise UserNotFound(email)
    return _summary(user)


@interface_function(idempotent=True)
def staff_member_get(*, user_id: uuid.UUID | str) -> StaffMember:
    """The active staff member `user_id` of an admin session; raises
    UserNotFound for anyone else."""
    from apps.users.selectors import user_find

    user = user_find(user_id)
    if user is None or not (user.is_active and user.is_staff):
        raise UserNotFound(str(user_id))
    return StaffMember(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        is_superuser=user.is_superuser,
        permissions=tuple(sorted(user.get_all_permissions())),
        session_auth_hash=user.get_session_auth_hash(),
    )


@interface_function(idempotent=False)
def customer_register(
    *, email: str, password: str, first_name: str = "", last_name: str = ""
) -> UserSummary:
    """A new customer account; raises ValidationFailed (a taken e-mail, a weak
    password)."""
    from apps.users.services import accounts

    user = accounts.user_register(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    return _summary(user)


@interface_function(idempotent=True)
def staff_role_names() -> list[str]:
    """The roles `staff_create` accepts."""
    from apps.users.roles import STAFF_ROLES

    return list(STAFF_ROLES)


@interface_function(idempotent=True)
def staff_create(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    roles: tuple[str, ...] = (),
) -> UserSummary:
    """A staff account, or the existing account of `email` promoted to staff with
    this password and `roles` added; raises ValidationFailed (a weak password,
    an unknown role). Safe to repeat."""
    from apps.users.services import accounts

    user, _created = accounts.staff_create(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        roles=roles,
    )
    return _summary(user)


ADDRESS_FIELDS = (
    "name",
    "line1",
    "line2",
    "city",
    "postal_code",
    "country",
    "is_default_shipping",
    "is_default_billing",
)


def _address(address) -> AddressData:
    return AddressData(
        id=address.pk, **{name: getattr(address, name) for name in ADDRESS_FIELDS}
    )


@interface_function(idempotent=True)
def address_list(*, user_id: uuid.UUID | str) -> list[AddressData]:
    """The customer's address book, oldest first (empty for an unknown user)."""
    from apps.users.selectors import address_list as book

    return [_address(address) for address in book(user_id=user_id)]


@interface_function(idempotent=True)
def address_get(
    *, user_id: uuid.UUID | str, address_id: uuid.UUID | str
) -> AddressData:
    """One address of the customer's book; raises AddressNotFound (also for
    another customer's address)."""
    from apps.users.selectors import address_list as book

    found = next(
        (a for a in book(user_id=user_id) if str(a.pk) == str(address_id)), None
    )
    if found is None:
        raise AddressNotFound(str(address_id))
    return _address(found)
