"""The keys of access and refresh tokens, and the JWKS document publishing them.

The deployable hosting the user model signs with `JWT_PRIVATE_KEY` (embedded:
a key generated once per install into `JWT_EMBEDDED_KEY_FILE`); every
deployable verifies by the token's `kid` against its own public key, the
`JWT_PUBLIC_KEYS` kept during a rotation, and the keys published at
`JWT_JWKS_URL` (fetched again after `JWT_JWKS_CACHE_SECONDS`, or at once
for an unknown `kid`).
"""

import base64
import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from apps.common.local_files import read_or_create

ALGORITHM = "EdDSA"
KEY_SETTINGS = {
    "JWT_PRIVATE_KEY",
    "JWT_EMBEDDED_KEY_FILE",
    "JWT_PUBLIC_KEYS",
    "JWT_JWKS_URL",
    "JWT_JWKS_CACHE_SECONDS",
    "AUTH_USER_MODEL_HOSTED",
}
# RFC 7638: the members an Ed25519 key's thumbprint (its kid) covers.
THUMBPRINT_MEMBERS = ("crv", "kty", "x")
JWKS_FETCH_TIMEOUT_SECONDS = 5


class UnknownKey(jwt.InvalidTokenError):
    """No published key has the token's `kid`."""


def private_key_pem_new() -> str:
    private = Ed25519PrivateKey.generate()
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_key_pem(*, private_pem: str) -> str:
    private = serialization.load_pem_private_key(private_pem.encode(), None)
    return (
        private.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )


def _jwk(public_key) -> dict:
    public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(public_key))
    members = {name: public[name] for name in THUMBPRINT_MEMBERS}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    digest = hashlib.sha256(canonical).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return {**public, "kid": kid, "alg": ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class KeySet:
    private_key: Ed25519PrivateKey | None
    kid: str
    public_jwks: list[dict] = field(default_factory=list)
    public_keys: dict = field(default_factory=dict)
    jwks_client: jwt.PyJWKClient | None = None


def _private_pem() -> str:
    if settings.JWT_PRIVATE_KEY:
        return settings.JWT_PRIVATE_KEY
    if settings.AUTH_USER_MODEL_HOSTED:
        return read_or_create(
            Path(settings.JWT_EMBEDDED_KEY_FILE), make=private_key_pem_new
        )
    return ""


@cache
def key_set() -> KeySet:
    private_pem = _private_pem()
    public_pems = [public_key_pem(private_pem=private_pem)] if private_pem else []
    public_pems += [pem for pem in settings.JWT_PUBLIC_KEYS if pem.strip()]
    public = [serialization.load_pem_public_key(pem.encode()) for pem in public_pems]
    jwks = [_jwk(key) for key in public]
    client = None
    if settings.JWT_JWKS_URL:
        client = jwt.PyJWKClient(
            settings.JWT_JWKS_URL,
            lifespan=settings.JWT_JWKS_CACHE_SECONDS,
            timeout=JWKS_FETCH_TIMEOUT_SECONDS,
        )
    return KeySet(
        private_key=(
            serialization.load_pem_private_key(private_pem.encode(), None)
            if private_pem
            else None
        ),
        kid=jwks[0]["kid"] if private_pem else "",
        public_jwks=jwks,
        public_keys={jwk["kid"]: key for jwk, key in zip(jwks, public, strict=True)},
        jwks_client=client,
    )


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting in KEY_SETTINGS:
        key_set.cache_clear()


def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """(kid, private key) of this deployable; only the token issuer has one."""
    keys = key_set()
    if keys.private_key is None:
        raise ImproperlyConfigured("this deployable has no JWT_PRIVATE_KEY")
    return keys.kid, keys.private_key


def verifying_key(*, token: str | bytes):
    """The public key named by the token's `kid`; raises jwt.PyJWTError."""
    kid = jwt.get_unverified_header(token).get("kid")
    keys = key_set()
    if kid in keys.public_keys:
        return keys.public_keys[kid]
    if keys.jwks_client is not None and isinstance(kid, str):
        return keys.jwks_client.get_signing_key(kid).key
    raise UnknownKey("no published key has this kid")


def jwks_document() -> dict:
    return {"keys": key_set().public_jwks}
