"""Access tokens verified by kid in any deployable; the user from the claims
where the user model is not hosted (a deployable without it)."""

import os
import stat
import subprocess
import sys
import textwrap
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apps.common.authentication import access_token_end, user_tokens_end
from apps.common.jwt_keys import (
    jwks_document,
    key_set,
    private_key_pem_new,
    public_key_pem,
    signing_key,
)
from apps.common.permissions import IsStaff

USER_ID = uuid.UUID("5b0c3a52-8d7e-4f59-9a1c-1f2e3d4c5b6a")


def mint(*, lifetime: int = 300, **claims) -> str:
    kid, key = signing_key()
    now = int(time.time())
    payload = {
        "token_type": "access",
        "exp": now + lifetime,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "user_id": str(USER_ID),
        "is_staff": False,
        **claims,
    }
    return jwt.encode(payload, key, algorithm="EdDSA", headers={"kid": kid})


class WhoAmI(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"pk": request.user.pk, "is_staff": request.user.is_staff})


class StaffOnly(WhoAmI):
    permission_classes = [IsStaff]


def call(view, token: str):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    return view.as_view()(request)


@pytest.fixture
def stateless(settings, tmp_path):
    """A deployable without the user model, holding a key only to mint here."""
    settings.AUTH_USER_MODEL_HOSTED = False
    settings.JWT_PRIVATE_KEY = private_key_pem_new()
    settings.JWT_EMBEDDED_KEY_FILE = tmp_path / "never-written.pem"
    return settings


def test_a_stateless_deployable_builds_the_user_from_the_claims(stateless):
    customer = call(WhoAmI, mint())
    staff = call(StaffOnly, mint(is_staff=True))

    assert customer.status_code == 200
    assert customer.data == {"pk": USER_ID, "is_staff": False}
    assert staff.status_code == 200
    assert staff.data == {"pk": USER_ID, "is_staff": True}
    assert call(StaffOnly, mint()).status_code == 403


def _other_key_token() -> str:
    other = serialization.load_pem_private_key(private_key_pem_new().encode(), None)
    return jwt.encode(
        {"token_type": "access", "exp": int(time.time()) + 60, "jti": "x"},
        other,
        algorithm="EdDSA",
        headers={"kid": key_set().kid},
    )


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: mint(lifetime=-1), id="expired"),
        pytest.param(lambda: mint(token_type="refresh"), id="refresh-token"),
        pytest.param(lambda: mint(user_id="not-a-uuid"), id="malformed-user-id"),
        pytest.param(lambda: mint()[:-4] + "AAAA", id="tampered-signature"),
        pytest.param(_other_key_token, id="another-key-same-kid"),
        pytest.param(
            lambda: jwt.encode(
                {"token_type": "access", "exp": int(time.time()) + 60},
                "a-guessed-secret-long-enough-for-hs256",
                algorithm="HS256",
                headers={"kid": key_set().kid},
            ),
            id="hs256-confusion",
        ),
    ],
)
def test_a_stateless_deployable_refuses_bad_tokens(stateless, token):
    response = call(WhoAmI, token())

    assert response.status_code == 401
    assert response.data["code"] == "token_not_valid"


def test_a_logout_ends_the_token_in_a_stateless_deployable(stateless):
    token = mint()
    assert call(WhoAmI, token).status_code == 200

    access_token_end(claims=jwt.decode(token, options={"verify_signature": False}))

    ended = call(WhoAmI, token)
    assert ended.status_code == 401
    assert ended.data["detail"] == "Token was ended by a logout."


def test_a_new_token_version_ends_older_tokens_in_a_stateless_deployable(stateless):
    user_id = str(uuid.uuid4())
    older, current = mint(ver=0, user_id=user_id), mint(ver=1, user_id=user_id)

    user_tokens_end(user_id=user_id, version=1)

    assert call(WhoAmI, older).status_code == 401
    assert call(WhoAmI, current).status_code == 200
    assert call(WhoAmI, mint(ver=0)).status_code == 200  # another user


def test_rotation_accepts_the_old_key_while_published_and_no_longer(stateless):
    old_pem = stateless.JWT_PRIVATE_KEY
    old_token = mint()
    old_kid = key_set().kid

    stateless.JWT_PRIVATE_KEY = private_key_pem_new()
    stateless.JWT_PUBLIC_KEYS = [public_key_pem(private_pem=old_pem)]
    new_token = mint()
    during = [call(WhoAmI, t).status_code for t in (old_token, new_token)]
    published = [key["kid"] for key in jwks_document()["keys"]]
    stateless.JWT_PUBLIC_KEYS = []
    after = [call(WhoAmI, t).status_code for t in (old_token, new_token)]

    assert jwt.get_unverified_header(new_token)["kid"] == key_set().kid != old_kid
    assert published == [key_set().kid, old_kid]
    assert during == [200, 200]
    assert after == [401, 200]


def test_the_jwks_document_holds_public_keys_only(stateless):
    [key] = jwks_document()["keys"]

    assert set(key) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == (
        "OKP",
        "Ed25519",
        "EdDSA",
        "sig",
    )
    assert len(key["kid"]) == 43  # a base64url SHA-256 thumbprint


def test_embedded_mode_generates_one_private_key_per_install(settings, tmp_path):
    settings.JWT_PRIVATE_KEY = ""
    settings.JWT_EMBEDDED_KEY_FILE = tmp_path / "key.pem"
    first = key_set().kid
    key_set.cache_clear()

    assert key_set().kid == first
    assert stat.S_IMODE((tmp_path / "key.pem").stat().st_mode) == 0o600
    settings.JWT_EMBEDDED_KEY_FILE = tmp_path / "another-install.pem"
    assert key_set().kid != first


@pytest.mark.parametrize("name", ["JWT_EMBEDDED_KEY_FILE", "secret key file"])
def test_the_embedded_key_files_are_never_committed(settings, name):
    root = settings.BASE_DIR
    path = (
        settings.JWT_EMBEDDED_KEY_FILE
        if name == "JWT_EMBEDDED_KEY_FILE"
        else root / ".django-secret-key"
    )
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(path.relative_to(root))],
        cwd=root,
        check=False,
    )

    assert ignored.returncode == 0


def test_the_embedded_secret_key_is_this_installs_own(settings):
    # No SECRET_KEY in the environment of the test run: made once per install.
    assert settings.SECRET_KEY == (settings.BASE_DIR / ".django-secret-key").read_text()
    assert len(settings.SECRET_KEY) >= 50


def test_the_verifier_needs_no_blacklist_app_nor_user_model():
    """Fails if the parts of simplejwt used here start importing its token
    classes, whose blacklist models exist only beside the user model."""
    script = textwrap.dedent(
        """
        import sys
        import django
        from django.conf import settings
        settings.configure(
            INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth",
                            "rest_framework"],
            JWT_JWKS_URL="", JWT_PUBLIC_KEYS=[], JWT_PRIVATE_KEY="",
            AUTH_USER_MODEL_HOSTED=False, SECRET_KEY="test-only",
        )
        django.setup()
        import apps.common.authentication
        print(sorted(m for m in sys.modules if "token_blacklist" in m))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )

    assert result.stdout.strip() == "[]", result.stderr
