import pytest
from kombu.exceptions import OperationalError

from apps.eventbus import delivery, registry
from apps.eventbus.delivery import broker_breaker
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


@pytest.fixture
def celery_stand_in(settings, monkeypatch, probe):
    """EVENTS_DELIVERY = "celery" with `enqueue` replaced: it fails while
    `down` is set, and records (consumer, event_id) otherwise."""
    settings.EVENTS_DELIVERY = "celery"
    settings.EVENTS_BROKER_BREAKER_SECONDS = 60
    state = {"down": True, "attempts": 0, "sent": []}

    def enqueue(consumer, envelope):
        state["attempts"] += 1
        if state["down"]:
            raise OperationalError("Error 111 connecting to 127.0.0.1:1")
        state["sent"].append((consumer, envelope.event_id))

    monkeypatch.setattr(delivery, "enqueue", enqueue)
    broker_breaker().record_success()
    yield state
    broker_breaker().record_success()
