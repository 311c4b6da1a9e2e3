"""Placing an order when the catalog is hosted by another deployable that
does not answer: a 503 problem with Retry-After, in bounded time, nothing kept."""

import time

import pytest

from apps.common.remote import client
from apps.orders.models import Order
from tests import fakes
from tests.orders.helpers import place
from tests.remote_transport import StubService

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog_not_answering(settings):
    stub = StubService(port=8201, silent=True)
    settings.DOMAIN_APPS = [app for app in settings.DOMAIN_APPS if app != "catalog"]
    fakes.uninstall(app="catalog")  # reached over HTTP, even in tests alone
    settings.SERVICE_URLS = {"catalog": stub.url}
    settings.SERVICE_READ_TIMEOUT_SECONDS = 0.2
    settings.SERVICE_RETRY_ATTEMPTS = 2
    settings.SERVICE_RETRY_BACKOFF_SECONDS = 0
    yield stub
    stub.stop()
    client.close_sessions()


def test_a_catalog_that_times_out_is_a_503_problem_with_retry_after(
    customer_client, catalog_not_answering
):
    started = time.monotonic()

    response = place(customer_client)

    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "service_unavailable"
    assert catalog_not_answering.calls == 2
    assert Order.objects.count() == 0
