"""Interface calls between deployables (apps.common.remote): credentials,
contracts on the wire, retries and the breaker per target."""

import json
import time
import uuid

import pytest
from django.core.cache import cache

from apps.catalog.interface import product_snapshots
from apps.common.errors import ContractMismatch, ServiceUnavailable
from apps.common.remote import client, codec, signing
from apps.users.contracts import UserNotFound, UserSummary
from apps.users.interface import customer_register, user_get
from tests.conftest import circuit_is_open
from tests.remote_transport import StubService

pytestmark = pytest.mark.django_db
USER_GET = "/internal/v1/users/user_get/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Nonces seen and the breakers' state live in the cache.
    cache.clear()
    yield
    cache.clear()


def post(django_client, path: str, payload: dict, headers: dict | None = None):
    body = json.dumps(payload).encode()
    if headers is None:
        headers = signing.signed_headers(method="POST", path=path, body=body)
    return django_client.generic(
        "POST", path, data=body, content_type="application/json", headers=headers
    )


def test_a_signed_call_answers_the_encoded_contract(client, customer):
    response = post(client, USER_GET, {"user_id": str(customer.pk)})

    assert response.status_code == 200
    assert response.json()["result"] == {
        "id": str(customer.pk),
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "is_staff": False,
        "is_active": True,
    }


def test_an_unsigned_or_badly_signed_call_is_refused(client, customer, settings):
    payload = {"user_id": str(customer.pk)}
    body = json.dumps(payload).encode()
    headers = signing.signed_headers(method="POST", path=USER_GET, body=body)
    settings.SERVICE_SECRET = "another-secret"

    unsigned = post(client, USER_GET, payload, headers={})
    forged = post(client, USER_GET, payload, headers=headers)

    assert [unsigned.status_code, forged.status_code] == [403, 403]
    assert forged.json()["code"] == "service_credentials_refused"
    assert forged.json()["detail"] == "bad or missing service signature"


def test_a_replayed_call_is_refused(client, customer):
    payload = {"user_id": str(customer.pk)}
    body = json.dumps(payload).encode()
    headers = signing.signed_headers(method="POST", path=USER_GET, body=body)

    first = post(client, USER_GET, payload, headers=headers)
    replayed = post(client, USER_GET, payload, headers=headers)

    assert [first.status_code, replayed.status_code] == [200, 403]
    assert replayed.json()["detail"] == "service signature replayed"


def test_a_call_signed_outside_the_window_is_refused(client, customer, monkeypatch):
    payload = {"user_id": str(customer.pk)}
    body = json.dumps(payload).encode()
    signed_at = time.time() - 31
    with monkeypatch.context() as past:
        past.setattr(signing.time, "time", lambda: signed_at)
        headers = signing.signed_headers(method="POST", path=USER_GET, body=body)

    expired = post(client, USER_GET, payload, headers=headers)

    assert expired.status_code == 403
    assert expired.json()["detail"] == "service signature expired"


def test_an_unknown_argument_is_ignored_and_a_missing_one_is_named(client, customer):
    known = post(client, USER_GET, {"user_id": str(customer.pk), "since": "v2"})
    missing = post(client, USER_GET, {"id": str(customer.pk)})

    assert known.status_code == 200
    assert missing.status_code == 400
    assert missing.json()["exception"] == "ContractMismatch"
    assert missing.json()["detail"] == (
        "users.user_get(user_id): a required argument is missing"
    )


def test_a_result_ignores_unknown_fields_and_names_a_missing_one():
    user_id = uuid.uuid4()
    fields = {"id": str(user_id), "email": "a@example.com", "first_name": "A"}
    fields |= {"last_name": "B", "is_staff": False, "is_active": True}

    newer = codec.decode({**fields, "locale": "de"}, UserSummary, where="r")
    older = {name: value for name, value in fields.items() if name != "is_staff"}

    assert newer == UserSummary(
        id=user_id,
        email="a@example.com",
        first_name="A",
        last_name="B",
        is_staff=False,
        is_active=True,
    )
    with pytest.raises(ContractMismatch, match=r"r\.UserSummary\.is_staff: a req"):
        codec.decode(older, UserSummary, where="r")


def test_exceptions_cross_with_their_class_and_details(interface_calls_over_http):
    with pytest.raises(UserNotFound, match="nobody"):
        user_get(user_id="nobody")
    with pytest.raises(ContractMismatch) as mismatch:
        user_get(user_id=7)

    assert mismatch.value.status_code == 502
    assert mismatch.value.code == "contract_mismatch"


def test_internal_endpoints_are_not_in_the_schema(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    assert [path for path in schema["paths"] if "internal" in path] == []


@pytest.fixture
def users_elsewhere(settings):
    """Users is hosted by a stub deployable answering 503 to everything."""
    stub = StubService(port=8202, silent=False)
    settings.DOMAIN_APPS = ["catalog", "inventory", "orders"]
    settings.SERVICE_URLS = {"users": stub.url}
    settings.SERVICE_RETRY_ATTEMPTS = 3
    settings.SERVICE_RETRY_BACKOFF_SECONDS = 0
    yield stub
    stub.stop()
    client.close_sessions()


def test_idempotent_calls_are_retried_and_writes_are_not(users_elsewhere):
    with pytest.raises(ServiceUnavailable) as read:
        user_get(user_id=uuid.uuid4())
    reads = users_elsewhere.calls
    with pytest.raises(ServiceUnavailable):
        customer_register(email="new@example.com", password="x")

    assert (reads, users_elsewhere.calls - reads) == (3, 1)
    assert read.value.extra == {"retry_after": 1}


def test_the_breaker_of_one_target_opens_and_fails_fast(users_elsewhere, settings):
    settings.SERVICE_BREAKER_THRESHOLD = 2
    settings.SERVICE_RETRY_ATTEMPTS = 1
    settings.SERVICE_BREAKER_SECONDS = 30
    for _ in range(2):
        with pytest.raises(ServiceUnavailable):
            user_get(user_id=uuid.uuid4())

    with pytest.raises(ServiceUnavailable) as fast:
        user_get(user_id=uuid.uuid4())

    assert users_elsewhere.calls == 2
    assert fast.value.extra["retry_after"] in (29, 30)
    assert circuit_is_open(client.breaker_for(app="users"))
    assert not circuit_is_open(client.breaker_for(app="catalog"))
    assert product_snapshots(product_ids=[]) == {}


def test_a_call_to_an_app_not_hosted_goes_to_the_configured_transport(settings):
    sent = []
    settings.DOMAIN_APPS = ["catalog", "inventory", "orders"]
    settings.INTERFACE_TRANSPORT = f"{__name__}.{recording_transport.__name__}"
    recording_transport.sent = sent

    answer = user_get(user_id="0b8a3c1e-1111-4222-8333-444455556666")

    assert answer == "recorded"
    assert sent == [
        ("users", "user_get", True, {"user_id": "0b8a3c1e-1111-4222-8333-444455556666"})
    ]


def recording_transport(*, app, func, idempotent, kwargs):
    recording_transport.sent.append((app, func.__name__, idempotent, kwargs))
    return "recorded"
