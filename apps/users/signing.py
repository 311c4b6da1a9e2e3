"""simplejwt's tokens signed and verified with the kernel's keys.

simplejwt builds its token backend from one algorithm and one key, and signs
without a `kid`; every simplejwt token (refresh tokens, their blacklist, the
access tokens they mint) uses this backend instead, installed once by the
app's ready(). tests/users/test_signing.py fails if simplejwt stops honouring it.
"""

import jwt
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token

from apps.common.jwt_keys import ALGORITHM, signing_key, verifying_key


class KeySetTokenBackend(TokenBackend):
    def __init__(self):
        super().__init__(ALGORITHM, leeway=jwt_settings.LEEWAY)

    def encode(self, payload: dict) -> str:
        kid, key = signing_key()
        return jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": kid})

    def get_verifying_key(self, token):
        try:
            return verifying_key(token=token)
        except jwt.PyJWTError as exc:
            raise TokenBackendError("Token is invalid") from exc


def token_backend_install() -> None:
    Token._token_backend = KeySetTokenBackend()
