"""Tokens issued with the kernel's keys (apps/users/signing.py), published as
JWKS, and verified by another deployable's process."""

import os
import subprocess
import sys
import textwrap

import jwt
import pytest
from rest_framework_simplejwt.tokens import RefreshToken, Token

from apps.common.jwt_keys import key_set, private_key_pem_new, public_key_pem
from apps.users.signing import KeySetTokenBackend
from tests.users.conftest import bearer

ME = "/api/v1/users/me/"
JWKS = "/api/v1/auth/jwks/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"


@pytest.mark.django_db
def test_every_simplejwt_token_is_signed_by_the_kernels_key(customer):
    """Fails if simplejwt stops taking its backend from Token._token_backend."""
    refresh = RefreshToken.for_user(customer)

    assert isinstance(Token._token_backend, KeySetTokenBackend)
    for token in (str(refresh), str(refresh.access_token)):
        assert jwt.get_unverified_header(token)["kid"] == key_set().kid
    assert RefreshToken(str(refresh))["user_id"] == str(customer.pk)


@pytest.mark.django_db
def test_the_jwks_is_public_cacheable_and_documented(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer stale.or.garbage")

    response = api_client.get(JWKS)
    api_client.credentials()
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert [key["kid"] for key in response.json()["keys"]] == [key_set().kid]
    documented = schema["paths"][JWKS]["get"]["responses"]["200"]["content"]
    assert documented["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JwksOutput"
    }


@pytest.mark.django_db
def test_a_rotation_keeps_sessions_while_the_old_key_is_published(
    login, api_client, customer, settings
):
    old_pem = settings.JWT_PRIVATE_KEY = private_key_pem_new()
    old = login(customer.email).json()
    settings.JWT_PRIVATE_KEY = private_key_pem_new()
    settings.JWT_PUBLIC_KEYS = [public_key_pem(private_pem=old_pem)]

    still = bearer(api_client, old["access"]).get(ME).status_code
    api_client.credentials()
    rotated = api_client.post(REFRESH, {"refresh": old["refresh"]}, format="json")
    settings.JWT_PUBLIC_KEYS = []

    assert still == 200
    assert rotated.status_code == 200
    assert jwt.get_unverified_header(rotated.json()["access"])["kid"] == key_set().kid
    assert bearer(api_client, old["access"]).get(ME).status_code == 401
    assert bearer(api_client, rotated.json()["access"]).get(ME).status_code == 200


# A deployable without the user model: verifies against the JWKS URL and
# answers one line per token read from stdin.
VERIFIER = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from django.test import override_settings
    from rest_framework.test import APIRequestFactory
    from rest_framework_simplejwt.exceptions import AuthenticationFailed
    from apps.common.authentication import BearerTokenAuthentication

    with override_settings(AUTH_USER_MODEL_HOSTED=False, JWT_PRIVATE_KEY="",
                           JWT_PUBLIC_KEYS=[], JWT_JWKS_URL=sys.argv[1]):
        for line in sys.stdin:
            request = APIRequestFactory().get(
                "/", HTTP_AUTHORIZATION="Bearer " + line.strip())
            try:
                user, _ = BearerTokenAuthentication().authenticate(request)
                print("accepted", user.pk, user.is_staff, flush=True)
            except AuthenticationFailed as exc:
                print("refused", exc.detail["detail"], flush=True)
    """
)


@pytest.fixture
def shared_cache(settings, tmp_path):
    """The cache every deployable shares: Redis in services mode, else a
    directory both processes use."""
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        return {}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    return {"CACHE_URL": f"filecache://{tmp_path / 'cache'}"}


@pytest.mark.django_db
def test_a_logout_reaches_another_deployable_at_its_next_request(
    login, api_client, staff_user, live_server, shared_cache
):
    pair = login(staff_user.email).json()
    verifier = subprocess.Popen(
        [sys.executable, "-c", VERIFIER, f"{live_server.url}{JWKS}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
        | shared_cache,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def verify(token: str) -> str:
        verifier.stdin.write(token + "\n")
        verifier.stdin.flush()
        return verifier.stdout.readline().strip()

    try:
        before = verify(pair["access"])
        bearer(api_client, pair["access"]).post(
            LOGOUT, {"refresh": pair["refresh"]}, format="json"
        )
        after = verify(pair["access"])
    finally:
        verifier.stdin.close()
        verifier.wait(timeout=30)

    assert before == f"accepted {staff_user.pk} True"
    assert after == "refused Token was ended by a logout."
