"""Shipping methods: which serve a country, and what one costs for a subtotal."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.orders.errors import ShippingMethodDoesNotExist
from apps.orders.models import ShippingMethod

FIELD = "shipping_method"
# What staff set on a method (the API and the admin).
SHIPPING_FIELDS = [
    "name",
    "countries",
    "currency",
    "price",
    "bands",
    "free_above",
    "active",
]


@dataclass(frozen=True)
class ShippingChoice:
    """A method as an order stores it: its name and the price it cost."""

    name: str
    price: Decimal


def shipping_price(*, method: ShippingMethod, subtotal: Decimal) -> Decimal:
    """Free from `free_above` on; else the first band whose `up_to` reaches the
    subtotal; else the flat price."""
    if method.free_above is not None and subtotal >= method.free_above:
        return Decimal("0.00")
    for band in sorted(method.bands, key=lambda b: Decimal(b["up_to"])):
        if subtotal <= Decimal(band["up_to"]):
            return Decimal(band["price"])
    return method.price


def shipping_methods_for(
    *, country: str, currency: str, subtotal: Decimal
) -> list[tuple[ShippingMethod, Decimal]]:
    """The active methods serving `country` in `currency`, with their price
    for `subtotal`, cheapest first."""
    methods = ShippingMethod.objects.filter(active=True, currency=currency)
    served = [m for m in methods if country in m.countries]
    priced = [(m, shipping_price(method=m, subtotal=subtotal)) for m in served]
    return sorted(priced, key=lambda pair: (pair[1], pair[0].name))


def shipping_choice(
    *, method_id: uuid.UUID, country: str, currency: str, subtotal: Decimal
) -> ShippingChoice:
    """The chosen method priced for this order; 400 on `shipping_method` when
    it is unknown, inactive or does not serve `country`."""
    for method, price in shipping_methods_for(
        country=country, currency=currency, subtotal=subtotal
    ):
        if method.id == method_id:
            return ShippingChoice(name=method.name, price=price)
    raise ValidationFailed(
        {FIELD: [f"No active shipping method {method_id} serves {country}."]}
    )


def _check_bands(bands: list[dict]) -> None:
    ceilings = [band["up_to"] for band in bands]
    if len(set(ceilings)) != len(ceilings):
        raise ValidationFailed({"bands": ["Each band needs its own up_to."]})


def shipping_method_create(**fields) -> ShippingMethod:
    _check_bands(fields.get("bands", []))
    with atomic_for(ShippingMethod):
        if ShippingMethod.objects.filter(name=fields["name"]).exists():
            raise ValidationFailed({"name": ["A method with this name exists."]})
        return ShippingMethod.objects.create(**fields)


def shipping_method_update(*, method_id: uuid.UUID, **fields) -> ShippingMethod:
    _check_bands(fields.get("bands", []))
    with atomic_for(ShippingMethod):
        method = _locked(method_id)
        name = fields.get("name")
        taken = ShippingMethod.objects.filter(name=name).exclude(pk=method_id)
        if name and taken.exists():
            raise ValidationFailed({"name": ["A method with this name exists."]})
        for field, value in fields.items():
            setattr(method, field, value)
        method.save()
    return method


def shipping_method_delete(*, method_id: uuid.UUID) -> None:
    """Orders keep the name and price they were shipped at; nothing refers here."""
    with atomic_for(ShippingMethod):
        _locked(method_id).delete()


def shipping_method_get(*, method_id: uuid.UUID) -> ShippingMethod:
    method = ShippingMethod.objects.filter(pk=method_id).first()
    if method is None:
        raise ShippingMethodDoesNotExist(f"Shipping method {method_id} not found.")
    return method


def _locked(method_id: uuid.UUID) -> ShippingMethod:
    method = ShippingMethod.objects.select_for_update().filter(pk=method_id).first()
    if method is None:
        raise ShippingMethodDoesNotExist(f"Shipping method {method_id} not found.")
    return method
