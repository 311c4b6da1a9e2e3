"""Vouchers: whether one is usable, redeeming it with the order that uses it,
and giving the use back when that order fails or is cancelled."""

import datetime as dt
import uuid

from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from apps.common.db import atomic_for
from apps.eventbus.api import publish
from apps.orders.errors import VoucherRefused
from apps.orders.events import VoucherRedeemed, VoucherReleased
from apps.orders.models import RedemptionState, Voucher, VoucherRedemption


def voucher_find(*, code: str) -> Voucher | None:
    """The voucher of `code` in any case (through the lower-case unique index)."""
    return (
        Voucher.objects.annotate(code_lower=Lower("code"))
        .filter(code_lower=code.strip().lower())
        .first()
    )


def voucher_check(
    *,
    code: str,
    customer_id: uuid.UUID | None,
    email: str | None,
    now: dt.datetime | None = None,
) -> Voucher:
    """The voucher if it may be used now by this customer, else VoucherRefused.
    Without a customer or an e-mail address the per-customer limit is left to
    the redemption."""
    voucher = voucher_find(code=code)
    if voucher is None:
        raise VoucherRefused(code="voucher_unknown")
    _check_window(voucher, now=now or timezone.now())
    if voucher.usage_limit is not None and voucher.uses >= voucher.usage_limit:
        raise VoucherRefused(code="voucher_used_up")
    if customer_id or email:
        _check_customer(voucher, customer_id=customer_id, email=_email(email))
    return voucher


def redeem_voucher(
    *,
    code: str,
    order_id: uuid.UUID,
    customer_id: uuid.UUID | None,
    email: str | None,
) -> None:
    """Use the voucher for `order_id`, inside the checkout's transaction on the
    orders database; raises VoucherRefused (nothing written) when it is not
    usable. The conditional UPDATE `uses < usage_limit` lets exactly as many
    simultaneous checkouts through as the limit allows, and the voucher row it
    locks until commit serializes the per-customer count behind it."""
    email = _email(email)
    voucher = voucher_find(code=code)
    if voucher is None:
        raise VoucherRefused(code="voucher_unknown")
    _check_window(voucher, now=timezone.now())
    # A savepoint: a refusal after the UPDATE takes the use back with it.
    with atomic_for(Voucher):
        taken = (
            Voucher.objects.filter(pk=voucher.pk)
            .filter(Q(usage_limit__isnull=True) | Q(uses__lt=F("usage_limit")))
            .update(uses=F("uses") + 1)
        )
        if not taken:
            raise VoucherRefused(code="voucher_used_up")
        if voucher.usage_limit_per_customer is not None:
            if not customer_id and not email:
                raise VoucherRefused(code="voucher_customer_required")
            _check_customer(voucher, customer_id=customer_id, email=email)
        VoucherRedemption.objects.create(
            voucher=voucher, order_id=order_id, customer_id=customer_id, email=email
        )
        publish(
            VoucherRedeemed(
                voucher_id=voucher.pk,
                code=voucher.code,
                order_id=order_id,
                customer_id=customer_id,
            )
        )


def release_voucher(*, order_id: uuid.UUID) -> None:
    """Give back the voucher use of a failed or cancelled order; a no-op for an
    order without one or already released."""
    with atomic_for(VoucherRedemption):
        redemption = (
            VoucherRedemption.objects.select_for_update()
            .filter(order_id=order_id, state=RedemptionState.REDEEMED)
            .first()
        )
        if redemption is None:
            return
        redemption.state = RedemptionState.RELEASED
        redemption.released_at = timezone.now()
        redemption.save(update_fields=["state", "released_at"])
        Voucher.objects.filter(pk=redemption.voucher_id, uses__gt=0).update(
            uses=F("uses") - 1
        )
        code = Voucher.objects.values_list("code", flat=True).get(
            pk=redemption.voucher_id
        )
        publish(
            VoucherReleased(
                voucher_id=redemption.voucher_id,
                code=code,
                order_id=order_id,
                customer_id=redemption.customer_id,
            )
        )


def _check_window(voucher: Voucher, *, now: dt.datetime) -> None:
    if not voucher.is_active:
        raise VoucherRefused(code="voucher_inactive")
    if voucher.valid_from is not None and now < voucher.valid_from:
        raise VoucherRefused(code="voucher_not_started")
    if voucher.valid_until is not None and now >= voucher.valid_until:
        raise VoucherRefused(code="voucher_expired")


def _check_customer(
    voucher: Voucher, *, customer_id: uuid.UUID | None, email: str
) -> None:
    limit = voucher.usage_limit_per_customer
    if limit is None:
        return
    # A customer's uses count under their id and under their address (a guest
    # checkout with the same address is the same customer).
    who = Q(customer_id=customer_id) if customer_id else Q(email=email)
    if customer_id and email:
        who |= Q(email=email)
    used = VoucherRedemption.objects.filter(
        who, voucher=voucher, state=RedemptionState.REDEEMED
    ).count()
    if used >= limit:
        raise VoucherRefused(code="voucher_customer_limit")


def _email(email: str | None) -> str:
    return (email or "").strip().lower()
