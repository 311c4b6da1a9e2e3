import base64
import datetime as dt
import json

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.users.conftest import bearer

ME = "/api/v1/users/me/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def assert_401(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_login_returns_working_pair_with_configured_lifetimes(
    login, api_client, customer
):
    response = login("  CUSTOMER@Example.com ")

    assert response.status_code == 200
    pair = response.json()
    assert set(pair) == {"access", "refresh"}
    access, refresh = _claims(pair["access"]), _claims(pair["refresh"])
    assert access["exp"] - access["iat"] == 5 * 60
    assert refresh["exp"] - refresh["iat"] == 7 * 24 * 3600
    assert access["user_id"] == refresh["user_id"] == str(customer.pk)
    me = bearer(api_client, pair["access"]).get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == "customer@example.com"


@pytest.mark.django_db
def test_tokens_are_signed_eddsa_with_the_published_kid_not_secret_key(
    login, api_client, customer
):
    access = login(customer.email).json()["access"]
    forged = jwt.encode(_claims(access), settings.SECRET_KEY, algorithm="HS256")
    [published] = api_client.get("/api/v1/auth/jwks/").json()["keys"]

    header = jwt.get_unverified_header(access)
    assert header == {"alg": "EdDSA", "kid": published["kid"], "typ": "JWT"}
    key = jwt.PyJWK(published).key
    assert jwt.decode(access, key, algorithms=["EdDSA"])["user_id"] == str(customer.pk)
    assert_401(bearer(api_client, forged).get(ME))


@pytest.mark.django_db
def test_unknown_email_wrong_password_and_inactive_user_get_the_same_answer(
    login, customer, other_customer
):
    other_customer.is_active = False
    other_customer.save()

    answers = [
        login("nobody@example.com"),
        login(customer.email, "wrong-password-123"),
        login(other_customer.email),
    ]

    assert [r.status_code for r in answers] == [401, 401, 401]
    bodies = [r.json() for r in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["code"] == "invalid_credentials"


@pytest.mark.django_db
def test_login_input_errors_are_field_level(api_client):
    response = api_client.post("/api/v1/auth/token/", {"email": ""}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email": ["This field may not be blank."],
        "password": ["This field is required."],
    }


def _tamper(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    return ".".join([header, _b64({**_claims(token), **changes}), signature])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda access, other: ".".join(
                [_b64({"alg": "none", "typ": "JWT"}), access.split(".")[1], ""]
            ),
            id="alg-none",
        ),
        pytest.param(
            lambda access, other: (
                access[:-4] + ("AAAA" if not access.endswith("AAAA") else "BBBB")
            ),
            id="tampered-signature",
        ),
        pytest.param(
            lambda access, other: _tamper(access, user_id=str(other.pk)),
            id="swapped-user-id",
        ),
        pytest.param(
            lambda access, other: jwt.encode(
                {**_claims(access), "user_id": str(other.pk)},
                "a-guessed-key-that-is-long-enough-for-hs256",
                algorithm="HS256",
            ),
            id="foreign-key",
        ),
    ],
)
def test_forged_access_tokens_are_refused(
    forge, login, api_client, customer, other_customer
):
    access = login(customer.email).json()["access"]

    assert_401(bearer(api_client, forge(access, other_customer)).get(ME))


@pytest.mark.django_db
def test_expired_access_token_is_refused(api_client, customer):
    token = AccessToken.for_user(customer)
    token.set_exp(from_time=token.current_time - dt.timedelta(minutes=6))

    assert_401(bearer(api_client, str(token)).get(ME))


@pytest.mark.django_db
def test_refresh_token_is_no_access_token(login, api_client, customer):
    refresh = login(customer.email).json()["refresh"]

    assert_401(bearer(api_client, refresh).get(ME))


@pytest.mark.django_db
def test_refresh_rotates_and_the_new_pair_works(login, api_client, customer):
    old = login(customer.email).json()["refresh"]

    rotated = api_client.post(REFRESH, {"refresh": old}, format="json")

    assert rotated.status_code == 200
    pair = rotated.json()
    assert pair["refresh"] != old
    assert bearer(api_client, pair["access"]).get(ME).status_code == 200
    api_client.credentials()
    assert (
        api_client.post(
            REFRESH, {"refresh": pair["refresh"]}, format="json"
        ).status_code
        == 200
    )


@pytest.mark.django_db
def test_replaying_a_spent_refresh_token_ends_its_whole_family(
    login, api_client, customer
):
    first = login(customer.email).json()
    other_login = login(customer.email).json()
    stolen = first["refresh"]
    second = api_client.post(REFRESH, {"refresh": stolen}, format="json").json()
    third = api_client.post(
        REFRESH, {"refresh": second["refresh"]}, format="json"
    ).json()

    replay = api_client.post(REFRESH, {"refresh": stolen}, format="json")

    assert_401(replay)
    assert replay.json()["code"] == "token_not_valid"
    for access in (first["access"], second["access"], third["access"]):
        assert_401(bearer(api_client, access).get(ME))
    api_client.credentials()
    assert_401(api_client.post(REFRESH, {"refresh": third["refresh"]}, format="json"))
    assert bearer(api_client, other_login["access"]).get(ME).status_code == 200
    api_client.credentials()
    refreshed = api_client.post(
        REFRESH, {"refresh": other_login["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200


@pytest.mark.django_db
def test_refresh_refuses_access_token_and_garbage(login, api_client, customer):
    access = login(customer.email).json()["access"]

    assert_401(api_client.post(REFRESH, {"refresh": access}, format="json"))
    assert_401(api_client.post(REFRESH, {"refresh": "not.a.jwt"}, format="json"))
    missing = api_client.post(REFRESH, {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"refresh": ["This field is required."]}


@pytest.mark.django_db
def test_expired_refresh_token_is_refused(api_client, customer):
    token = RefreshToken.for_user(customer)
    token.set_exp(from_time=token.current_time - dt.timedelta(days=8))

    assert_401(api_client.post(REFRESH, {"refresh": str(token)}, format="json"))


@pytest.mark.django_db
def test_logout_blacklists_the_refresh_token(login, api_client, customer):
    pair = login(customer.email).json()
    bearer(api_client, pair["access"])

    response = api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")

    assert response.status_code == 204
    api_client.credentials()
    assert_401(api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json"))


@pytest.mark.django_db
def test_logout_ends_the_access_token_it_ran_with_and_no_other(
    login, api_client, customer
):
    pair = login(customer.email).json()
    other_session = login(customer.email).json()
    bearer(api_client, pair["access"])

    api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")

    ended = api_client.get(ME)
    assert_401(ended)
    assert ended.json()["detail"] == "Token was ended by a logout."
    assert bearer(api_client, other_session["access"]).get(ME).status_code == 200


@pytest.mark.django_db
def test_a_refused_logout_leaves_the_access_token_alone(
    login, api_client, customer, other_customer
):
    access = login(customer.email).json()["access"]
    someone_elses = login(other_customer.email).json()["refresh"]
    bearer(api_client, access)

    refused = api_client.post(LOGOUT, {"refresh": someone_elses}, format="json")

    assert refused.status_code == 400
    assert api_client.get(ME).status_code == 200


@pytest.mark.django_db
def test_an_unreachable_cache_skips_the_logout_check(
    login, api_client, customer, monkeypatch
):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from apps.common import authentication

    def unreachable(keys):
        raise RedisConnectionError("Error 111 connecting to cache:6379")

    access = login(customer.email).json()["access"]
    monkeypatch.setattr(authentication.cache, "get_many", unreachable)

    assert bearer(api_client, access).get(ME).status_code == 200


@pytest.mark.django_db
def test_logout_needs_authentication(login, api_client, customer):
    refresh = login(customer.email).json()["refresh"]

    assert_401(api_client.post(LOGOUT, {"refresh": refresh}, format="json"))
    assert (
        api_client.post(REFRESH, {"refresh": refresh}, format="json").status_code == 200
    )


@pytest.mark.django_db
def test_logout_refuses_another_users_refresh_and_keeps_it_valid(
    login, api_client, customer, other_client, other_customer
):
    refresh = login(customer.email).json()["refresh"]

    response = other_client.post(LOGOUT, {"refresh": refresh}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "refresh": ["Token is invalid, expired or revoked."]
    }
    assert (
        api_client.post(REFRESH, {"refresh": refresh}, format="json").status_code == 200
    )


@pytest.mark.django_db
def test_inactive_user_tokens_are_refused(login, api_client, customer):
    pair = login(customer.email).json()
    customer.is_active = False
    customer.save()

    assert_401(bearer(api_client, pair["access"]).get(ME))
    api_client.credentials()
    assert_401(api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json"))


@pytest.mark.django_db
def test_tokens_of_a_deleted_user_are_refused(login, api_client, customer):
    pair = login(customer.email).json()
    customer.delete()

    assert_401(bearer(api_client, pair["access"]).get(ME))
    api_client.credentials()
    assert_401(api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json"))


@pytest.mark.django_db
def test_public_endpoints_ignore_a_stale_authorization_header(
    login, api_client, customer
):
    bearer(api_client, "garbage")

    assert login(customer.email).status_code == 200


@pytest.mark.django_db
def test_expired_refresh_tokens_are_pruned_in_batches(customer, settings):
    from rest_framework_simplejwt.token_blacklist.models import (
        BlacklistedToken,
        OutstandingToken,
    )

    from apps.users.services.tokens import tokens_prune_expired
    from apps.users.tasks import prune_expired_tokens

    now = dt.datetime.now(dt.UTC)
    expiries = {"old-1": -60, "old-2": -60, "old-3": -1, "live": 60}  # minutes
    for jti, minutes in expiries.items():
        token = OutstandingToken.objects.create(
            user=customer,
            jti=jti,
            token=f"token-{jti}",
            expires_at=now + dt.timedelta(minutes=minutes),
        )
        BlacklistedToken.objects.create(token=token)

    assert tokens_prune_expired(batch_size=2) == 3

    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == ["live"]
    assert BlacklistedToken.objects.count() == 1
    entry = settings.CELERY_BEAT_SCHEDULE["users-prune-expired-tokens"]
    assert entry["task"] == prune_expired_tokens.name
    assert entry["options"] == {"queue": "users"}


@pytest.mark.django_db
def test_tokens_carry_their_token_version_and_no_digest_of_the_password(
    login, customer
):
    pair = login(customer.email).json()

    for raw in pair.values():
        claims = jwt.decode(raw, options={"verify_signature": False})
        assert claims["ver"] == 0
        assert "hash_password" not in claims
        assert not any(customer.password in str(value) for value in claims.values())


@pytest.mark.django_db
def test_a_new_password_ends_earlier_access_tokens_even_without_the_cache(
    login, api_client, customer
):
    from django.core.cache import cache

    from apps.users.services.accounts import user_password_set

    access = login(customer.email).json()["access"]
    user_password_set(user=customer, password="a-brand-new-pass-77")
    cache.clear()  # the ended mark is gone; the stored version still decides

    assert bearer(api_client, access).get("/api/v1/users/me/").status_code == 401
    fresh = login(customer.email, password="a-brand-new-pass-77").json()["access"]
    assert bearer(api_client, fresh).get("/api/v1/users/me/").status_code == 200
