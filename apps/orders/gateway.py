"""The payment gateway port, the deterministic test gateway, and a circuit
breaker around it (private to the orders app).

A real provider is one more class with `charge` and `refund`; both take an
idempotency key, so calling again with the same key never moves money twice.
"""

import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string


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


class CircuitOpen(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"payment gateway circuit open, retry after {retry_after}s")
        self.retry_after = retry_after


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
            _incr(f"{self.PREFIX}captures")
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
        _incr(f"{self.PREFIX}refunds")
        return refund_reference

    @classmethod
    def captures(cls) -> int:
        return cache.get(f"{cls.PREFIX}captures", 0)

    @classmethod
    def refunds(cls) -> int:
        return cache.get(f"{cls.PREFIX}refunds", 0)


def _incr(key: str) -> None:
    cache.add(key, 0, timeout=None)
    cache.incr(key)


def get_gateway() -> PaymentGateway:
    path = getattr(
        settings, "ORDERS_PAYMENT_GATEWAY", "apps.orders.gateway.TestGateway"
    )
    return import_string(path)()


class CircuitBreaker:
    """Consecutive transient failures open the circuit for `reset_seconds`;
    then one trial call is let through (half-open): success closes it, failure
    opens it again. State lives in the cache so every worker shares it."""

    def __init__(self, name: str):
        self.key = f"orders:breaker:{name}"
        self.threshold = getattr(settings, "ORDERS_BREAKER_THRESHOLD", 5)
        self.reset_seconds = getattr(settings, "ORDERS_BREAKER_RESET_SECONDS", 30)

    def _state(self) -> dict:
        return cache.get(self.key) or {"failures": 0, "open_until": 0.0}

    def before_call(self) -> None:
        state = self._state()
        now = time.time()
        if state["open_until"] > now:
            raise CircuitOpen(max(1, round(state["open_until"] - now)))

    def record_success(self) -> None:
        cache.delete(self.key)

    def record_failure(self) -> None:
        state = self._state()
        failures = state["failures"] + 1
        half_open = state["open_until"] and state["open_until"] <= time.time()
        open_until = state["open_until"]
        if failures >= self.threshold or half_open:
            open_until = time.time() + self.reset_seconds
        cache.set(
            self.key, {"failures": failures, "open_until": open_until}, timeout=None
        )

    def is_open(self) -> bool:
        return self._state()["open_until"] > time.time()


def call_with_retries(breaker: CircuitBreaker, func):
    """Call `func` through the breaker, retrying transient errors with
    exponential backoff; raises CircuitOpen or the last GatewayTransientError."""
    tries = getattr(settings, "ORDERS_GATEWAY_TRIES", 3)
    base = getattr(settings, "ORDERS_GATEWAY_BACKOFF_SECONDS", 0.1)
    for attempt in range(tries):
        breaker.before_call()
        try:
            result = func()
        except GatewayTransientError as exc:
            if not isinstance(exc, GatewayBusy):
                breaker.record_failure()
            if attempt == tries - 1:
                raise
            time.sleep(base * 2**attempt)
        else:
            breaker.record_success()
            return result
    raise AssertionError("unreachable")
