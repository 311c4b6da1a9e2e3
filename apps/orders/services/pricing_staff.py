"""Staff writes of tax rates and vouchers, one path for the API and the admin;
each checks the rules that span fields and raises ValidationFailed naming the
field, so nothing invalid is stored."""

import re
from contextlib import contextmanager
from decimal import Decimal

from django.db import IntegrityError

from apps.common.countries import ISO_COUNTRIES
from apps.common.db import atomic_for
from apps.common.errors import ValidationFailed
from apps.orders.errors import TaxRateNotFound, VoucherInUse, VoucherNotFound
from apps.orders.models import TaxRate, Voucher, VoucherKind, VoucherTarget

TAX_RATE_FIELDS = {"standard_rate", "reduced_rate"}
# What staff set on a voucher, in the order forms show it.
VOUCHER_FIELDS = (
    "code",
    "kind",
    "target",
    "value",
    "minimum_spend",
    "valid_from",
    "valid_until",
    "usage_limit",
    "usage_limit_per_customer",
    "is_active",
)
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
LARGEST_AMOUNT = Decimal("9999999999.99")
HUNDRED = Decimal("100")


# --- tax rates -------------------------------------------------------------------


def tax_rate_create(
    *, country: str, standard_rate: Decimal, reduced_rate: Decimal
) -> TaxRate:
    rate = TaxRate(
        country=(country or "").strip().upper(),
        standard_rate=standard_rate,
        reduced_rate=reduced_rate,
    )
    _raise(tax_rate_errors(rate))
    with _taken_as({"country": f"{rate.country} has a tax rate already."}):
        with atomic_for(TaxRate):
            rate.save(force_insert=True)
    return rate


def tax_rate_update(*, country: str, data: dict) -> TaxRate:
    _reject_unknown(data, TAX_RATE_FIELDS)
    with atomic_for(TaxRate):
        rate = TaxRate.objects.select_for_update().filter(country=country).first()
        if rate is None:
            raise TaxRateNotFound(f"No tax rate for {country}.")
        for field, value in data.items():
            setattr(rate, field, value)
        _raise(tax_rate_errors(rate))
        rate.save(update_fields=[*data, "updated_at"])
    return rate


def tax_rate_delete(*, country: str) -> None:
    with atomic_for(TaxRate):
        deleted, _ = TaxRate.objects.filter(country=country).delete()
    if not deleted:
        raise TaxRateNotFound(f"No tax rate for {country}.")


def tax_rate_errors(rate: TaxRate) -> dict:
    """Field -> messages of what is wrong with `rate` (a new one: its country
    too)."""
    errors = {}
    if rate.pk is None:
        if rate.country not in ISO_COUNTRIES:
            errors["country"] = [
                f"{rate.country!r} is not an ISO 3166-1 alpha-2 country code."
            ]
        elif TaxRate.objects.filter(country=rate.country).exists():
            errors["country"] = [f"{rate.country} has a tax rate already."]
    for field in ("standard_rate", "reduced_rate"):
        value = getattr(rate, field)
        if value is None or not Decimal(0) <= Decimal(value) <= HUNDRED:
            errors[field] = ["A rate is a percentage from 0 to 100."]
    return errors


# --- vouchers ----------------------------------------------------------------------


def voucher_create(**fields) -> Voucher:
    """A new voucher from VOUCHER_FIELDS (code, kind and value required)."""
    _reject_unknown(fields, set(VOUCHER_FIELDS))
    voucher = Voucher(**{**fields, "code": (fields.get("code") or "").strip()})
    _raise(voucher_errors(voucher))
    with _taken_as({"code": "A voucher with this code exists."}):
        with atomic_for(Voucher):
            voucher.save(force_insert=True)
    return voucher


def voucher_update(*, voucher_id: int, data: dict) -> Voucher:
    """Change some VOUCHER_FIELDS; `uses` is the redemptions' own counter."""
    _reject_unknown(data, set(VOUCHER_FIELDS))
    with (
        _taken_as({"code": "A voucher with this code exists."}),
        atomic_for(Voucher),
    ):
        voucher = Voucher.objects.select_for_update().filter(pk=voucher_id).first()
        if voucher is None:
            raise VoucherNotFound(f"No voucher {voucher_id}.")
        for field, value in data.items():
            setattr(voucher, field, value.strip() if field == "code" else value)
        _raise(voucher_errors(voucher))
        voucher.save(update_fields=[*data, "updated_at"])
    return voucher


def voucher_delete(*, voucher_id: int) -> None:
    """Only a voucher never redeemed; one with redemptions is deactivated."""
    with atomic_for(Voucher):
        voucher = Voucher.objects.select_for_update().filter(pk=voucher_id).first()
        if voucher is None:
            raise VoucherNotFound(f"No voucher {voucher_id}.")
        if voucher.redemptions.exists():
            raise VoucherInUse(
                "The voucher has been redeemed; deactivate it instead "
                "(is_active false)."
            )
        voucher.delete()


def voucher_errors(voucher: Voucher) -> dict:
    """Field -> messages of what is wrong with `voucher`."""
    errors = {}
    if not CODE_PATTERN.fullmatch(voucher.code or ""):
        errors["code"] = ["1 to 64 letters, digits, '-' or '_'."]
    elif (
        Voucher.objects.filter(code__iexact=voucher.code)
        .exclude(pk=voucher.pk)
        .exists()
    ):
        errors["code"] = ["A voucher with this code exists."]
    if voucher.kind not in VoucherKind.values:
        errors["kind"] = [f"Choose one of {', '.join(VoucherKind.values)}."]
    if voucher.target not in VoucherTarget.values:
        errors["target"] = [f"Choose one of {', '.join(VoucherTarget.values)}."]
    value = voucher.value
    if value is None or not Decimal(0) < Decimal(value) <= LARGEST_AMOUNT:
        errors["value"] = ["Ensure the value is greater than 0."]
    elif voucher.kind == VoucherKind.PERCENTAGE and Decimal(value) > HUNDRED:
        errors["value"] = ["A percentage is at most 100."]
    spend = voucher.minimum_spend
    if spend is None or not Decimal(0) <= Decimal(spend) <= LARGEST_AMOUNT:
        errors["minimum_spend"] = ["Ensure the minimum spend is not negative."]
    if (
        voucher.valid_from is not None
        and voucher.valid_until is not None
        and voucher.valid_until <= voucher.valid_from
    ):
        errors["valid_until"] = ["Ensure the end is after valid_from."]
    for field in ("usage_limit", "usage_limit_per_customer"):
        limit = getattr(voucher, field)
        if limit is not None and limit < 1:
            errors[field] = ["Ensure the limit is at least 1 (null: no limit)."]
    if voucher.usage_limit is not None and voucher.usage_limit < voucher.uses:
        errors.setdefault(
            "usage_limit",
            [f"The voucher has been used {voucher.uses} times already."],
        )
    return errors


# --- shared ------------------------------------------------------------------------


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)


def _reject_unknown(data: dict, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    _raise({field: ["This field cannot be changed."] for field in unknown})


@contextmanager
def _taken_as(errors: dict):
    """A unique key taken by a simultaneous write: the field error a check
    before the write would have given."""
    try:
        yield
    except IntegrityError:
        raise ValidationFailed({k: [v] for k, v in errors.items()}) from None
