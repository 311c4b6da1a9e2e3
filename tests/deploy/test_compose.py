"""docker/compose.yml: valid against the Compose specification, and shaped as
the operations design asks."""

import yaml
from django.conf import settings

from tests.deploy.conftest import BIN, DOCKER, run

COMPOSE = DOCKER / "compose.yml"


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def check_compose(path):
    return run(
        [BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec", path]
    )


def test_compose_file_validates_against_the_compose_spec():
    result = check_compose(COMPOSE)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


def test_the_compose_validation_rejects_a_broken_file(tmp_path):
    broken = tmp_path / "compose.yml"
    broken.write_text(
        COMPOSE.read_text().replace("condition: service_healthy", "condition: up", 1)
    )

    result = check_compose(broken)

    assert result.returncode == 1
    assert "Schema validation errors were encountered" in result.stdout


def test_compose_starts_every_process_with_a_worker_per_app_queue():
    queues = {
        name: svc["environment"]["WORKER_QUEUES"]
        for name, svc in services().items()
        if svc.get("command") == ["worker"]
    }

    assert sorted(services()) == sorted(
        ["db", "redis", "cache", "migrate", "web", "beat"] + list(queues)
    )
    assert sorted(queues.values()) == sorted(settings.DOMAIN_APPS)
    assert services()["migrate"]["command"] == ["migrate"]
    assert services()["beat"]["command"] == ["beat"]


def test_only_the_web_port_is_published_and_data_stays_on_an_internal_network():
    compose = yaml.safe_load(COMPOSE.read_text())

    published = {name for name, svc in services().items() if "ports" in svc}
    assert published == {"web"}
    assert compose["networks"]["backend"] == {"internal": True}
    assert services()["db"]["networks"] == ["backend"]
    assert services()["redis"]["networks"] == ["backend"]
    assert services()["cache"]["networks"] == ["backend"]


def test_app_processes_wait_for_healthy_services_and_a_finished_migration():
    for name, svc in services().items():
        if name in ("db", "redis", "cache"):
            assert "healthcheck" in svc, name
            continue
        depends = svc["depends_on"]
        assert depends["db"] == {"condition": "service_healthy"}, name
        if name != "migrate":
            assert depends["redis"] == {"condition": "service_healthy"}, name
            assert depends["cache"] == {"condition": "service_healthy"}, name
            assert depends["migrate"] == {
                "condition": "service_completed_successfully"
            }, name


def test_redis_is_configured_as_a_broker_that_does_not_drop_messages():
    command = " ".join(services()["redis"]["command"])

    assert "--maxmemory-policy noeviction" in command
    assert "--appendonly yes" in command


def test_the_cache_is_a_redis_of_its_own_that_may_evict():
    command = " ".join(services()["cache"]["command"])

    assert "--maxmemory-policy allkeys-lru" in command
    assert services()["web"]["environment"]["CACHE_URL"].startswith("redis://cache:")
