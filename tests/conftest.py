"""Fixtures shared by every app's tests: API clients, users with JWTs, events."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests import fakes

SERVICES_MODE = bool(os.environ.get("CELERY_BROKER_URL"))
SERVICES_ONLY_MARKERS = ("services", "faults")
# Black-box tests of a running gateway: only where `make test-split` points them.
SPLIT_GATEWAY = bool(os.environ.get("SPLIT_GATEWAY_URL"))
# Fault tests that start a split stack of their own: only `make test-split-faults`.
SPLIT_FAULTS = bool(os.environ.get("SPLIT_FAULTS"))


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
    _skip_where_apps_are_missing(items)
    if not SPLIT_GATEWAY:
        split = [i for i in items if i.get_closest_marker("split")]
        config.hook.pytest_deselected(items=split)
        items[:] = [i for i in items if i not in split]
    if not SPLIT_FAULTS:
        own_stack = [i for i in items if i.get_closest_marker("splitfaults")]
        config.hook.pytest_deselected(items=own_stack)
        items[:] = [i for i in items if i not in own_stack]
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


def _skip_where_apps_are_missing(items) -> None:
    """`@pytest.mark.needs_apps(*apps, reason=...)`: a test of apps working
    together, skipped where one of them is not hosted (`make test-alone`)."""
    from django.conf import settings

    for item in items:
        marker = item.get_closest_marker("needs_apps")
        if marker and not set(marker.args) <= set(settings.DOMAIN_APPS):
            reason = f"needs {' and '.join(marker.args)}: {marker.kwargs['reason']}"
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def _inprocess_events_by_default(settings):
    # Tests deliver events in-process unless they start a real worker
    # (the `celery_worker` fixture switches this to "celery").
    settings.EVENTS_DELIVERY = "inprocess"


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached reads (the catalog's) outlive the database rows a test rolls back.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(params=["inprocess", "http"])
def interface_transport(request):
    """Runs a test twice: interface calls in-process, then every one of them
    through the serializing HTTP transport."""
    if request.param == "http":
        request.getfixturevalue("interface_calls_over_http")
    return request.param


@pytest.fixture
def interface_calls_over_http(settings):
    """Every interface call is encoded, signed, sent through /internal/ and
    decoded, in this process and transaction (tests/remote_transport.py)."""
    from django.urls import get_resolver

    from apps.common.remote import client
    from tests.remote_transport import TEST_SERVER, DjangoTestClientAdapter

    get_resolver().url_patterns  # noqa: B018 - routes of every app, loaded first
    settings.DOMAIN_APPS = []
    settings.SERVICE_URLS = dict.fromkeys(settings.ALL_DOMAIN_APPS, TEST_SERVER)
    for app in settings.ALL_DOMAIN_APPS:
        client.session_for(app=app).mount(TEST_SERVER, DjangoTestClientAdapter())
    yield
    client.close_sessions()


@pytest.fixture(scope="session", autouse=True)
def _apps_not_hosted_are_faked(django_db_setup):
    """Tests of an app alone (`make test-alone`): tokens of the fake users app
    verify here, and events for apps not hosted reach their fakes."""
    from django.conf import settings
    from django.test import override_settings
    from django.urls import get_resolver

    # The hosted apps' routes, loaded before any test changes DOMAIN_APPS.
    get_resolver().url_patterns  # noqa: B018
    absent = [a for a in settings.ALL_DOMAIN_APPS if a not in settings.DOMAIN_APPS]
    fakes.subscribe_consumers(apps=absent)
    keys = [*settings.JWT_PUBLIC_KEYS, fakes.FAKES["users"].public_pem]
    with override_settings(JWT_PUBLIC_KEYS=keys if "users" in absent else []):
        yield


@pytest.fixture(autouse=True)
def _fresh_fakes(settings):
    """A fresh, empty fake for every app not hosted here, for each test."""
    absent = [a for a in settings.ALL_DOMAIN_APPS if a not in settings.DOMAIN_APPS]
    for app in absent:
        fakes.install(app=app, fake=fakes.FAKES[app]())
    yield
    for app in absent:
        fakes.uninstall(app=app)


def _fake_fixture(app: str):
    """`fake_<app>`: the test's fake of `app`; where `app` is hosted, its calls
    go to the fake for this test as if it were hosted elsewhere."""

    @pytest.fixture(name=f"fake_{app}")
    def fake(_fresh_fakes, settings):
        settings.DOMAIN_APPS = [a for a in settings.DOMAIN_APPS if a != app]
        if app not in fakes.installed_apps():
            fakes.install(app=app, fake=fakes.FAKES[app]())
        yield fakes.installed(app=app)
        fakes.uninstall(app=app)

    return fake


fake_users = _fake_fixture("users")
fake_catalog = _fake_fixture("catalog")
fake_inventory = _fake_fixture("inventory")
fake_orders = _fake_fixture("orders")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def throttle_clock(monkeypatch):
    """Pins the API throttles' clock inside one window: none ends mid-test."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "timer", staticmethod(lambda: 1_800_000_001.0)
    )


def circuit_is_open(breaker) -> bool:
    from apps.common.breaker import CircuitOpen

    try:
        breaker.raise_if_open()
    except CircuitOpen:
        return True
    return False


def users_hosted() -> bool:
    """Installed here (a test may still send its calls elsewhere)."""
    from django.apps import apps

    return apps.is_installed("apps.users")


PASSWORD = "correct-horse-battery-9"


def make_user(*, email: str, password: str = PASSWORD, is_staff=False):
    """An account of the users app; where it is not hosted, of its fake."""
    if not users_hosted():
        return fakes.installed(app="users").user_add(email=email, is_staff=is_staff)
    return get_user_model().objects.create_user(email, password, is_staff=is_staff)


def client_for(user) -> APIClient:
    """A client bearing an access token of `user`, signed by the users app (or
    its fake, which this deployable trusts as it trusts the users app)."""
    if users_hosted():
        token = str(RefreshToken.for_user(user).access_token)
    else:
        token = fakes.installed(app="users").access_token(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def admin_account(*, email: str, is_staff: bool = True, is_superuser: bool = True):
    """An account of this deployable's admin: a user of the users app where it
    is hosted; else a staff member of the fake users app, whom the admin's
    session backend resolves through users' interface (the returned local
    record only carries the id into the session)."""
    user_model = get_user_model()
    if not users_hosted():
        fake_users = fakes.installed(app="users")
        user = fake_users.user_add(
            email=email, is_staff=is_staff, is_superuser=is_superuser
        )
        if not is_staff:  # users answers for staff only: no admin session
            return user_model(pk=user.id, email=email)
        return user_model.from_answer(
            answer=fake_users.staff_member_get(user_id=user.id)
        )
    names = {user_model.USERNAME_FIELD: email, user_model.get_email_field_name(): email}
    return user_model.objects.create_user(
        **names,
        password=PASSWORD,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )


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


# --- A real Celery worker process (services mode) -----------------------------

WORKER_QUEUES = ("users", "catalog", "inventory", "orders")
WORKER_READY_SECONDS = 30


def _database_url(config: dict) -> str:
    user = config.get("USER") or ""
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{auth}{config.get('HOST') or ''}{port}/{config['NAME']}"


def _services_env(extra: dict[str, str]) -> dict[str, str]:
    """The test process's environment, with the databases pointing at
    pytest-django's test databases (the same ones the tests see)."""
    from django.conf import settings
    from django.db import connections

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    for app, alias in settings.APP_DATABASES.items():
        url = _database_url(connections[alias].settings_dict)
        env[f"DATABASE_URL_{app.upper()}"] = url
        if alias == "default":
            env["DATABASE_URL"] = url
    env.update(extra)
    return env


@pytest.fixture
def services_env(django_db_setup):
    """`services_env({...})`: an environment for a subprocess (worker, script)
    that uses this session's test databases, plus the given overrides."""
    return lambda extra=None: _services_env(extra or {})


def _purge_queues(app) -> None:
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in WORKER_QUEUES:
            channel.queue_purge(queue)


def _wait_until_idle(app, queues, timeout: float = 20.0) -> None:
    """Until the worker has nothing queued and nothing unacknowledged (its
    tasks ack late), twice in a row: a test's teardown must not flush the
    databases while the worker still writes into them (TRUNCATE against a
    handler's INSERTs deadlocked, and the data left behind broke the next
    test)."""
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        client = channel.client
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2 and time.monotonic() < deadline:
            busy = client.hlen(channel.unacked_key) or any(
                client.llen(queue) for queue in queues
            )
            quiet = 0 if busy else quiet + 1
            time.sleep(0.1)


class CeleryWorker:
    """A `celery worker` subprocess. `log` is its output so far."""

    def __init__(self, process: subprocess.Popen, name: str, log_path: Path):
        self.process = process
        self.name = name
        self.log_path = log_path
        self._log_offset = 0

    @property
    def log(self) -> str:
        """Output since the current test started using this worker."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode(errors="replace")

    def mark_log(self) -> None:
        self._log_offset = self.log_path.stat().st_size

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _start_worker(
    celery_app, *, app, env, concurrency, queues, log_dir
) -> CeleryWorker:
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = log_dir / f"{name}.log"
    command = [
        str(Path(sys.executable).with_name("celery")),
        *("-A", app, "worker", "-Q", ",".join(queues)),
        *("-c", str(concurrency), "-P", "prefork", "-n", name, "-l", "info"),
        "--without-gossip",
        "--without-mingle",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            env=_services_env(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent,
        )
    worker = CeleryWorker(process, name, log_path)
    deadline = time.monotonic() + WORKER_READY_SECONDS
    while time.monotonic() < deadline:
        if not worker.alive():
            pytest.fail(f"celery worker exited early:\n{worker.log}")
        if celery_app.control.ping(destination=[name], timeout=0.5):
            return worker
    worker.stop()
    pytest.fail(f"celery worker not ready in {WORKER_READY_SECONDS}s:\n{worker.log}")


@pytest.fixture(scope="session")
def _celery_workers(django_db_setup, tmp_path_factory):
    """Workers started during the session, one per configuration, reused by
    later tests (starting one costs seconds); all terminated at the end."""
    workers: dict[tuple, CeleryWorker] = {}
    yield workers
    for worker in workers.values():
        worker.stop()


@pytest.fixture
def start_celery_worker(request, settings, _celery_workers, tmp_path_factory):
    """Factory: `start_celery_worker(app="config", env={...}, concurrency=2,
    queues=WORKER_QUEUES)` returns a running `celery -A <app> worker -Q
    users,catalog,inventory,orders`
    whose databases are this session's test databases and whose broker is the
    test's, once it answers a ping. The queues are purged first, and the test
    process hands events to Celery (`EVENTS_DELIVERY = "celery"`) until the
    test ends. A worker of the same configuration is reused across tests (and
    restarted if it died), one of another configuration on the same queues is
    stopped first; all are terminated at the end of the session.
    Use it in `@pytest.mark.services` tests with `django_db(transaction=True)`
    so the worker sees what the test commits."""
    from config.celery import app as celery_app

    if not SERVICES_MODE:
        pytest.fail("a real Celery worker needs services mode (CELERY_BROKER_URL)")

    def start(
        *,
        app: str = "config",
        env: dict | None = None,
        concurrency: int = 2,
        queues: tuple[str, ...] = WORKER_QUEUES,
    ):
        env = env or {}
        key = (app, tuple(sorted(env.items())), concurrency, queues)
        # A worker of another configuration on one of these queues would take
        # this test's messages with the wrong handlers: it is stopped.
        for other_key, other in list(_celery_workers.items()):
            if other_key != key and set(other_key[3]) & set(queues):
                other.stop()
                del _celery_workers[other_key]
        _purge_queues(celery_app)
        worker = _celery_workers.get(key)
        if worker is None or not worker.alive():
            worker = _celery_workers[key] = _start_worker(
                celery_app,
                app=app,
                env=env,
                concurrency=concurrency,
                queues=queues,
                log_dir=tmp_path_factory.mktemp("celery"),
            )
        worker.mark_log()
        settings.EVENTS_DELIVERY = "celery"
        # Runs before the database flush of the test's teardown.
        request.addfinalizer(lambda: _wait_until_idle(celery_app, queues))
        return worker

    return start


@pytest.fixture
def celery_worker(start_celery_worker):
    """A real worker on every app queue, with the project's own handlers."""
    return start_celery_worker()


@pytest.fixture
def wait_until():
    """`wait_until(predicate, timeout=15)`: poll until `predicate()` is truthy
    (returned) or the time-out passes (its last value returned). For tests
    that wait for a worker."""

    def wait(predicate, *, timeout: float = 15.0, interval: float = 0.05):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value or time.monotonic() >= deadline:
                return value
            time.sleep(interval)

    return wait
