"""Twenty concurrent refreshes of one refresh token: exactly one succeeds.

Real threads, each with its own database connection, against the real
database (PostgreSQL in services mode, the SQLite file embedded)."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_refreshes_yield_exactly_one_pair():
    user = get_user_model().objects.create_user("racer@example.com", "race-pass-123")
    refresh = str(RefreshToken.for_user(user))
    barrier = threading.Barrier(THREADS, timeout=30)
    results: list[int] = []
    lock = threading.Lock()

    def attempt():
        try:
            client = APIClient()
            barrier.wait()
            response = client.post(
                "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
            )
            with lock:
                results.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == [200] + [401] * (THREADS - 1)
    # The old token plus exactly one newly minted one.
    assert OutstandingToken.objects.filter(user=user).count() == 2
