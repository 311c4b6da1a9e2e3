"""Service credentials: every internal call is signed with HMAC-SHA256 over its
method, path, timestamp, a fresh nonce and its body with SERVICE_SECRET; the
receiver refuses a bad signature, a stale timestamp and a nonce seen before
(remembered in the shared cache for as long as a timestamp stays fresh)."""

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

from django.conf import settings
from django.core.cache import cache

TIMESTAMP_HEADER = "X-Service-Timestamp"
NONCE_HEADER = "X-Service-Nonce"
SIGNATURE_HEADER = "X-Service-Signature"


class CredentialsRefused(Exception):
    pass


def signed_headers(*, method: str, path: str, body: bytes) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
    signature = _signature(
        method=method, path=path, timestamp=timestamp, nonce=nonce, body=body
    )
    return {
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature,
    }


def verify(*, method: str, path: str, body: bytes, headers: Mapping[str, str]) -> None:
    """Raises CredentialsRefused unless the request carries a valid, fresh
    signature whose nonce is used for the first time."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    nonce = headers.get(NONCE_HEADER, "")
    expected = _signature(
        method=method, path=path, timestamp=timestamp, nonce=nonce, body=body
    )
    if not hmac.compare_digest(expected, headers.get(SIGNATURE_HEADER, "")):
        raise CredentialsRefused("bad or missing service signature")
    window = settings.SERVICE_SIGNATURE_WINDOW_SECONDS
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > window:
        raise CredentialsRefused("service signature expired")
    if len(nonce) < 16 or not cache.add(f"service-nonce:{nonce}", 1, 2 * window):
        raise CredentialsRefused("service signature replayed")


def _signature(*, method: str, path: str, timestamp: str, nonce: str, body: bytes):
    message = b"\n".join(
        [method.upper().encode(), path.encode(), timestamp.encode(), nonce.encode()]
    )
    return hmac.new(
        settings.SERVICE_SECRET.encode(), message + b"\n" + body, hashlib.sha256
    ).hexdigest()
