"""A customer's address book: at most one default shipping and one default
billing address (setting one moves the flag); the first address becomes both."""

import uuid

from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.users.errors import AddressDoesNotExist
from apps.users.models import Address, User

MAX_ADDRESSES = 50
DEFAULT_FLAGS = ("is_default_shipping", "is_default_billing")


def address_create(*, user: User, **fields) -> Address:
    with atomic_for(Address):
        User.objects.select_for_update().filter(pk=user.pk).first()
        book = Address.objects.filter(user=user)
        count = book.count()
        if count >= MAX_ADDRESSES:
            raise ValidationFailed(
                {"address": [f"An address book holds at most {MAX_ADDRESSES}."]}
            )
        if count == 0:
            fields = {**fields, **dict.fromkeys(DEFAULT_FLAGS, True)}
        _clear_defaults(book, fields)
        return Address.objects.create(user=user, **fields)


def address_update(*, user: User, address_id: uuid.UUID, **fields) -> Address:
    with atomic_for(Address):
        address = _locked(user, address_id)
        _clear_defaults(Address.objects.filter(user=user), fields)
        for name, value in fields.items():
            setattr(address, name, value)
        address.save()
    return address


def address_delete(*, user: User, address_id: uuid.UUID) -> None:
    with atomic_for(Address):
        _locked(user, address_id).delete()


def address_get(*, user: User, address_id: uuid.UUID) -> Address:
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise AddressDoesNotExist(f"Address {address_id} not found.")
    return address


def _clear_defaults(book, fields: dict) -> None:
    """A new default takes the flag from the address that had it."""
    for flag in DEFAULT_FLAGS:
        if fields.get(flag):
            book.filter(**{flag: True}).update(**{flag: False})


def _locked(user: User, address_id: uuid.UUID) -> Address:
    address = (
        Address.objects.select_for_update().filter(user=user, pk=address_id).first()
    )
    if address is None:
        raise AddressDoesNotExist(f"Address {address_id} not found.")
    return address
