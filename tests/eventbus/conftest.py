import pytest

from apps.eventbus import registry
from apps.users.events import UserRegistered
from tests.eventbus import probe as probe_module


@pytest.fixture
def probe(monkeypatch):
    """The probe consumer as the only subscriber of UserRegistered, and its
    scratch tables (emptied before, dropped after)."""
    monkeypatch.setitem(
        registry._handlers,
        UserRegistered.event_type,
        {probe_module.CONSUMER: probe_module.on_users_user_registered},
    )
    probe_module.create_tables()
    yield probe_module
    probe_module.drop_tables()


@pytest.fixture(scope="session")
def probe_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("probe")


@pytest.fixture
def celery_worker_with_probe(start_celery_worker, probe, probe_dir):
    """A real worker whose catalog consumer is the probe: 3 attempts, fast
    backoff, PROBE_DIR for the slow handler's pid files. It consumes only the
    catalog queue, so a retry that left that queue would never run."""
    return start_celery_worker(
        app="tests.eventbus.worker_app",
        queues=("catalog",),
        env={
            "EVENTS_MAX_ATTEMPTS": "3",
            "EVENTS_RETRY_BASE_SECONDS": "0.05",
            "PROBE_DIR": str(probe_dir),
            # Persistent connections, as in production.
            "CONN_MAX_AGE": "60",
        },
    )
