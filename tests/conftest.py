"""Fixtures shared by every app's tests: API clients, users with JWTs, events."""

import os

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

SERVICES_MODE = bool(os.environ.get("CELERY_BROKER_URL"))
SERVICES_ONLY_MARKERS = ("services", "faults")


def pytest_sessionstart(session):
    """In services mode a missing service fails the run; it is never skipped."""
    if not SERVICES_MODE:
        return
    import kombu

    try:
        with kombu.Connection(
            os.environ["CELERY_BROKER_URL"], connect_timeout=3
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # noqa: BLE001 - reported as a hard failure
        raise pytest.UsageError(f"services mode: broker unreachable: {exc}") from exc


def pytest_collection_modifyitems(config, items):
    if not SERVICES_MODE:
        # Not a skip: these tests belong to the services run of `.ci/run`.
        kept = [
            i
            for i in items
            if not any(i.get_closest_marker(m) for m in SERVICES_ONLY_MARKERS)
        ]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
    # In per-app mode every app has its own database; a test may touch any of them.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and "databases" not in marker.kwargs:
            kwargs = {**marker.kwargs, "databases": "__all__"}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def _inprocess_events_by_default(settings):
    # Tests deliver events in-process unless they start a real worker
    # (tests/eventbus/worker.py switches this to "celery").
    settings.EVENTS_DELIVERY = "inprocess"


@pytest.fixture
def api_client():
    return APIClient()


def make_user(*, email: str, password: str = "correct-horse-battery-9", is_staff=False):
    return get_user_model().objects.create_user(email, password, is_staff=is_staff)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}"
    )
    return client


@pytest.fixture
def customer(db):
    return make_user(email="customer@example.com")


@pytest.fixture
def other_customer(db):
    return make_user(email="other@example.com")


@pytest.fixture
def staff_user(db):
    return make_user(email="staff@example.com", is_staff=True)


@pytest.fixture
def customer_client(customer):
    return client_for(customer)


@pytest.fixture
def other_client(other_customer):
    return client_for(other_customer)


@pytest.fixture
def staff_client(staff_user):
    return client_for(staff_user)


@pytest.fixture
def deliver_events():
    """Deliver every event still in any outbox, in-process, until none is left
    (handlers may publish follow-ups). Returns how many rows were sent."""
    from apps.eventbus.outbox import relay_once

    def deliver() -> int:
        total = 0
        while sent := relay_once():
            total += sent
        return total

    return deliver
