import pytest

INGRESS = "10.1.0.5"
LOGIN = "/api/v1/auth/token/"


@pytest.fixture
def behind_ingress(settings):
    settings.TRUSTED_PROXIES = ["10.1.0.0/16"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_ip": "3/min",
        },
    }


def failed_login(client, email: str, forwarded_for: str):
    return client.post(
        LOGIN,
        {"email": email, "password": "wrong-password-1"},
        content_type="application/json",
        REMOTE_ADDR=INGRESS,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    ).status_code


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_has_its_own_limit(client, behind_ingress):
    attacker = [
        failed_login(client, f"a{i}@example.com", "203.0.113.9") for i in range(4)
    ]
    # A client-made X-Forwarded-For hop at the left does not make a new client.
    spoofed = failed_login(client, "b@example.com", "198.51.100.1, 203.0.113.9")
    other = failed_login(client, "c@example.com", "198.51.100.7")

    assert attacker == [401, 401, 401, 429]
    assert spoofed == 429
    assert other == 401


def test_forwarded_proto_counts_only_from_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = ["10.1.0.0/16"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600

    direct = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    proxied = client.get(
        "/healthz", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR=INGRESS
    )

    assert "Strict-Transport-Security" not in direct
    assert proxied["Strict-Transport-Security"] == "max-age=3600"
