"""Every log line of a request or a handler says whose it is; no secret is logged."""

import json
import logging
import uuid

import pytest

from apps.common.logging import redact
from apps.eventbus import registry
from apps.users.events import UserRegistered

PASSWORD = "Sup3r-Secret-Passw0rd!"


def lines_of(json_logs, logger_name):
    return [line for line in json_logs.json_lines() if line["name"] == logger_name]


@pytest.mark.django_db
def test_every_line_of_a_request_carries_request_correlation_and_user_ids(
    probe_urls, customer, customer_client, json_logs
):
    response = customer_client.post(
        "/api/v1/orders/", {"quantity": 3}, format="json", HTTP_X_REQUEST_ID="req-42"
    )

    assert response.status_code == 201
    (probe,) = lines_of(json_logs, "tests.probe")
    assert probe["message"] == "probe order for 3"
    assert probe["request_id"] == "req-42"
    assert probe["correlation_id"] == "req-42"
    assert probe["user_id"] == str(customer.pk)
    assert probe["level"] == "INFO"


@pytest.mark.django_db
def test_one_access_line_per_request_with_method_route_status_duration(
    probe_urls, customer, customer_client, json_logs
):
    order_id = uuid.uuid4()

    customer_client.post(
        f"/api/v1/orders/{order_id}/pay/", {"quantity": 0}, format="json"
    )

    (access,) = lines_of(json_logs, "shop.access")
    assert access["method"] == "POST"
    assert access["route"] == "/api/v1/orders/<uuid:order_id>/pay/"
    assert access["status"] == 400
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] > 0
    assert access["user_id"] == str(customer.pk)
    assert str(order_id) not in json.dumps(access)


@pytest.mark.django_db
def test_django_request_warning_after_the_middleware_still_has_the_ids(
    client, json_logs
):
    client.get("/api/v1/missing/", HTTP_X_REQUEST_ID="req-404")

    (warning,) = lines_of(json_logs, "django.request")
    assert warning["level"] == "WARNING"
    assert warning["request_id"] == "req-404"
    assert warning["correlation_id"] == "req-404"


@pytest.mark.django_db
def test_every_handler_line_carries_event_id_type_and_consumer(
    monkeypatch, probe_urls, api_client, deliver_events, json_logs
):
    def handler(event, meta):
        logging.getLogger("tests.handler").info("welcoming %s", event.email)

    monkeypatch.setitem(
        registry._handlers, UserRegistered.event_type, {"catalog": handler}
    )
    response = api_client.post(
        "/api/v1/probe/publish/", {}, format="json", HTTP_X_REQUEST_ID="flow-7"
    )

    assert deliver_events() == 1
    handler_lines = lines_of(json_logs, "tests.handler") + [
        line
        for line in lines_of(json_logs, "apps.eventbus.consumer")
        if line["message"].startswith("handled")
    ]
    assert response.status_code == 201
    assert len(handler_lines) == 2
    for line in handler_lines:
        assert line["event_type"] == "users.user.registered.v1"
        assert uuid.UUID(line["event_id"])
        assert line["consumer"] == "catalog"
        assert line["correlation_id"] == "flow-7"


def test_plain_format_is_one_readable_line_with_the_context(plain_logs):
    logging.getLogger("tests.plain").warning("disk %s full", "/var")

    (line,) = plain_logs.text.splitlines()
    assert line.endswith(
        "WARNING tests.plain [req=- corr=- user=- event=-:- consumer=-] disk /var full"
    )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            '{"email": "a@b.c", "password": "hunter2"}',
            '{"email": "a@b.c", "password": [REDACTED]}',
        ),
        ("password=hunter2&next=/", "password=[REDACTED]&next=/"),
        ("Authorization: Bearer abc.def-ghi", "Authorization: [REDACTED]"),
        ("got eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl back", "got [REDACTED] back"),
        ("{'refresh': 'r-token', 'n': 1}", "{'refresh': [REDACTED], 'n': 1}"),
        ("plain words stay", "plain words stay"),
    ],
)
def test_redaction_masks_secrets_in_messages(message, expected):
    assert redact(message) == expected


def test_a_secret_logged_by_mistake_never_reaches_the_output(json_logs):
    logging.getLogger("tests.careless").info(
        "login payload %s", {"email": "a@example.com", "password": PASSWORD}
    )

    assert PASSWORD not in json_logs.text
    assert "a@example.com" in json_logs.text


@pytest.mark.django_db
def test_register_and_login_never_log_passwords_or_tokens(
    api_client, json_logs, deliver_events
):
    email = f"log-{uuid.uuid4().hex[:8]}@example.com"
    register = api_client.post(
        "/api/v1/auth/register/",
        {"email": email, "password": PASSWORD, "first_name": "A", "last_name": "B"},
        format="json",
    )
    deliver_events()  # the handlers of UserRegistered log too
    login = api_client.post(
        "/api/v1/auth/token/", {"email": email, "password": PASSWORD}, format="json"
    )
    wrong = api_client.post(
        "/api/v1/auth/token/",
        {"email": email, "password": PASSWORD + "-wrong"},
        format="json",
    )
    refreshed = api_client.post(
        "/api/v1/auth/token/refresh/",
        {"refresh": login.json()["refresh"]},
        format="json",
    )

    assert (register.status_code, login.status_code) == (201, 200)
    assert (wrong.status_code, refreshed.status_code) == (401, 200)
    secrets = [
        PASSWORD,
        PASSWORD + "-wrong",
        login.json()["access"],
        login.json()["refresh"],
        refreshed.json()["access"],
        refreshed.json()["refresh"],
    ]
    text = json_logs.text
    assert len(lines_of(json_logs, "shop.access")) == 4
    for secret in secrets:
        assert secret not in text


@pytest.mark.django_db
def test_error_lines_keep_the_path_but_not_the_query_string(client, json_logs):
    client.get("/api/v1/missing/?token=abc123secret&password=hunter2")

    (warning,) = lines_of(json_logs, "django.request")
    assert warning["path"] == "/api/v1/missing/"
    assert warning["method"] == "GET"
    assert "abc123secret" not in json_logs.text
    assert "hunter2" not in json_logs.text
