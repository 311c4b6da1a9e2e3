"""The payment gateway port, the deterministic test gateway, and the retries
and circuit breaker around its calls (private to the orders app).

A real provider is one more class with `charge` and `refund`; both take an
idempotency key, so calling again with the same key never moves money twice.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from apps.common.breaker import CircuitBreaker
from apps.common.cache import counter_incr

T = TypeVar("T")


@dataclass(frozen=True)
class ChargeResult:
    captured: bool
    reference: str = ""
    decline_reason: str = ""


class GatewayTransientError(Exception):
    """The provider could not answer; the outcome is unknown, retry with the same key."""


class GatewayBusy(GatewayTransientError):
    """A request with the same idempotency key is being processed right now
    (a provider answers 409 then); retried, but no sign of an unhealthy provider."""


class PaymentGateway(Protocol):
    def charge(
        self, *, idempotency_key: str, token: str, amount: Decimal, currency: str
    ) -> ChargeResult: ...

    def refund(
        self, *, idempotency_key: str, reference: str, amount: Decimal, currency: str
    ) -> str: ...

    def retrieve(self, *, idempotency_key: str) -> ChargeResult | None:
        """The outcome of the charge made with this key, None if there was none."""


class TestGateway:
    """Deterministic: `tok_success` captures, `tok_declined` declines,
    `tok_error` fails transiently. Results are kept by idempotency key in the
    cache (shared by every process), like a provider keeps them."""

    __test__ = False  # not a pytest class
    PREFIX = "orders:testgw:"

    def charge(self, *, idempotency_key, token, amount, currency) -> ChargeResult:
        stored = cache.get(f"{self.PREFIX}charge:{idempotency_key}")
        if stored is not None:
            return ChargeResult(**stored)
        lock = f"{self.PREFIX}lock:{idempotency_key}"
        if not cache.add(lock, 1, timeout=30):
            raise GatewayBusy(f"a charge with key {idempotency_key} is in progress")
        try:
            return self._charge_once(idempotency_key, token)
        finally:
            cache.delete(lock)

    def _charge_once(self, idempotency_key: str, token: str) -> ChargeResult:
        stored = cache.get(f"{self.PREFIX}charge:{idempotency_key}")
        if stored is not None:
            return ChargeResult(**stored)
        if token == "tok_error":
            raise GatewayTransientError("tok_error: provider unavailable")
        if token == "tok_success":
            result = ChargeResult(captured=True, reference=f"ch_{uuid.uuid4().hex}")
            counter_incr(key=f"{self.PREFIX}captures", timeout=None)
        else:
            reason = "card_declined" if token == "tok_declined" else "invalid_token"
            result = ChargeResult(captured=False, decline_reason=reason)
        cache.set(
            f"{self.PREFIX}charge:{idempotency_key}", result.__dict__, timeout=86400
        )
        return result

    def retrieve(self, *, idempotency_key) -> ChargeResult | None:
        if cache.get(f"{self.PREFIX}lock:{idempotency_key}") is not None:
            raise GatewayBusy(f"a charge with key {idempotency_key} is in progress")
        stored = cache.get(f"{self.PREFIX}charge:{idempotency_key}")
        return None if stored is None else ChargeResult(**stored)

    def refund(self, *, idempotency_key, reference, amount, currency) -> str:
        key = f"{self.PREFIX}refund:{idempotency_key}"
        stored = cache.get(key)
        if stored is not None:
            return stored
        refund_reference = f"re_{uuid.uuid4().hex}"
        cache.set(key, refund_reference, timeout=86400)
        counter_incr(key=f"{self.PREFIX}refunds", timeout=None)
        return refund_reference

    @classmethod
    def captures(cls) -> int:
        return cache.get(f"{cls.PREFIX}captures", 0)

    @classmethod
    def refunds(cls) -> int:
        return cache.get(f"{cls.PREFIX}refunds", 0)


def get_gateway() -> PaymentGateway:
    return import_string(settings.ORDERS_PAYMENT_GATEWAY)()


def gateway_breaker() -> CircuitBreaker:
    return CircuitBreaker(
        target="payment-gateway",
        failure_threshold=settings.ORDERS_BREAKER_THRESHOLD,
        open_seconds=settings.ORDERS_BREAKER_RESET_SECONDS,
    )


def _unhealthy(exc: Exception) -> bool:
    return isinstance(exc, GatewayTransientError) and not isinstance(exc, GatewayBusy)


def call_with_retries(func: Callable[[], T]) -> T:
    """Call `func` through the gateway's breaker, retrying transient errors
    with exponential backoff; raises CircuitOpen or the last
    GatewayTransientError."""
    breaker = gateway_breaker()

    def through_breaker() -> T:
        with breaker.guard(counts_as_failure=_unhealthy):
            return func()

    retrying = Retrying(
        retry=retry_if_exception_type(GatewayTransientError),
        stop=stop_after_attempt(settings.ORDERS_GATEWAY_TRIES),
        wait=wait_exponential(multiplier=settings.ORDERS_GATEWAY_BACKOFF_SECONDS),
        reraise=True,
    )
    return retrying(through_breaker)
