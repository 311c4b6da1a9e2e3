"""Fixtures of the users tests: logins, and order events built from the
orders app's published schemas, delivered through the real event bus."""

import pytest
from django.core.cache import cache

from apps.common.db import alias_for
from apps.eventbus.api import publish
from apps.eventbus.consumer import apply_event
from apps.eventbus.models import OutboxEvent
from apps.eventbus.outbox import envelope_of

PASSWORD = "correct-horse-battery-9"  # tests/conftest.py make_user's default


@pytest.fixture(autouse=True)
def _fresh_login_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def login(api_client):
    def do(email: str, password: str = PASSWORD, **extra):
        return api_client.post(
            "/api/v1/auth/token/",
            {"email": email, "password": password},
            format="json",
            **extra,
        )

    return do


def bearer(client, access: str):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@pytest.fixture
def emit(deliver_events, django_capture_on_commit_callbacks):
    """Publish an orders event and deliver it; e-mails queued on commit are sent.
    Returns the envelope, for redelivery."""

    def do(event):
        row = publish(event)
        with django_capture_on_commit_callbacks(using=alias_for("users"), execute=True):
            assert deliver_events() >= 1
        return envelope_of(
            OutboxEvent.objects.using(alias_for("orders")).get(pk=row.pk)
        )

    return do


@pytest.fixture
def redeliver(django_capture_on_commit_callbacks):
    def do(envelope) -> bool:
        with django_capture_on_commit_callbacks(using=alias_for("users"), execute=True):
            return apply_event("users", envelope)

    return do


@pytest.fixture
def committed(django_capture_on_commit_callbacks, deliver_events):
    """Run a request, then its after-commit work: events delivered in-process
    (the registration's consumer) and the e-mails queued sent."""

    def do(request):
        with django_capture_on_commit_callbacks(using=alias_for("users"), execute=True):
            response = request()
            deliver_events()
        return response

    return do
