"""docker/compose.yml: valid against the Compose specification, and shaped as
the operations design asks, in both profiles (monolith and split)."""

import yaml
from django.conf import settings

from tests.deploy.conftest import BIN, DOCKER, run

COMPOSE = DOCKER / "compose.yml"


SHARED = ["db", "redis", "cache"]


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def in_profile(profile: str) -> dict:
    """What `docker compose --profile PROFILE up` starts."""
    return {
        name: svc
        for name, svc in services().items()
        if profile in svc.get("profiles", [profile])
    }


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
    monolith = in_profile("monolith")
    queues = {
        name: svc["environment"]["WORKER_QUEUES"]
        for name, svc in monolith.items()
        if svc.get("command") == ["worker"]
    }

    assert sorted(monolith) == sorted(
        [*SHARED, "migrate", "web", "beat"] + list(queues)
    )
    assert sorted(queues.values()) == sorted(settings.DOMAIN_APPS)
    assert monolith["migrate"]["command"] == ["migrate"]
    assert monolith["beat"]["command"] == ["beat"]


def test_only_the_entry_port_of_each_profile_is_published_and_data_stays_internal():
    compose = yaml.safe_load(COMPOSE.read_text())

    for profile, entry in [("monolith", "web"), ("split", "gateway")]:
        published = {n for n, svc in in_profile(profile).items() if "ports" in svc}
        assert published == {entry}, profile
    assert compose["networks"]["backend"] == {"internal": True}
    assert services()["db"]["networks"] == ["backend"]
    assert services()["redis"]["networks"] == ["backend"]
    assert services()["cache"]["networks"] == ["backend"]


def test_app_processes_wait_for_healthy_services_and_a_finished_migration():
    for name, svc in in_profile("monolith").items():
        if name in SHARED:
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


def split_roles(app: str) -> dict:
    return {
        role: in_profile("split")[f"{app}{suffix}"]
        for role, suffix in [
            ("web", ""),
            ("worker", "-worker"),
            ("beat", "-beat"),
            ("migrate", "-migrate"),
        ]
    }


def test_the_split_profile_runs_each_app_as_its_own_deployable_behind_the_gateway():
    split = in_profile("split")
    apps = settings.DOMAIN_APPS

    expected = [*SHARED, "db-setup", "gateway"]
    expected += [
        f"{app}{s}" for app in apps for s in ("", "-worker", "-beat", "-migrate")
    ]
    assert sorted(split) == sorted(expected)
    for app in apps:
        roles = split_roles(app)
        assert {r: svc["command"] for r, svc in roles.items()} == {
            r: [r] for r in roles
        }
        assert {svc["image"] for svc in roles.values()} == {services()["web"]["image"]}
        assert roles["worker"]["environment"]["WORKER_QUEUES"] == app
        assert roles["web"]["depends_on"][f"{app}-migrate"] == {
            "condition": "service_completed_successfully"
        }
    assert split["gateway"]["depends_on"] == {
        app: {"condition": "service_healthy"} for app in apps
    }


def test_each_deployable_holds_its_own_database_url_and_finds_the_others_by_name():
    apps = settings.DOMAIN_APPS

    for app in apps:
        for role, svc in split_roles(app).items():
            env = svc["environment"]
            database_urls = [k for k in env if k.startswith("DATABASE_URL")]
            service_urls = {
                k: v for k, v in env.items() if k.startswith("SERVICE_URL_")
            }
            assert env["SHOP_APPS"] == app, role
            assert env["DATABASE_ROUTING"] == "per-app", role
            assert database_urls == [f"DATABASE_URL_{app.upper()}"], role
            assert f"shop_{app}:" in env[database_urls[0]], role
            assert env[database_urls[0]].endswith(f"@db:5432/shop_{app}"), role
            assert service_urls == {
                f"SERVICE_URL_{other.upper()}": f"http://{other}:8000"
                for other in apps
                if other != app
            }, role
            assert env["SERVICE_SECRET"].startswith("${SERVICE_SECRET:?"), role
            assert env["CACHE_URL"].startswith("redis://cache:"), role
            assert env["CELERY_BROKER_URL"].startswith("redis://redis:"), role
            signs = "JWT_PRIVATE_KEY" in env
            assert signs == (app == "users"), role
            if not signs:
                assert env["JWT_JWKS_URL"] == "http://users:8000/api/v1/auth/jwks/"


def test_the_split_databases_are_created_one_role_per_app_before_any_migration():
    setup = in_profile("split")["db-setup"]
    script = (DOCKER / "postgres" / "split-databases.sh").read_text()

    assert f"for app in {' '.join(settings.DOMAIN_APPS)}; do" in script
    assert "REVOKE ALL ON DATABASE" in script
    assert setup["depends_on"] == {"db": {"condition": "service_healthy"}}
    for app in settings.DOMAIN_APPS:
        assert f"POSTGRES_PASSWORD_{app.upper()}" in setup["environment"]
        assert split_roles(app)["migrate"]["depends_on"] == {
            "db-setup": {"condition": "service_completed_successfully"}
        }


def test_the_gateway_runs_the_one_gateway_configuration_of_the_overlay():
    gateway = in_profile("split")["gateway"]

    assert gateway["volumes"] == [
        "./k8s/overlays/split/nginx.conf:/etc/nginx/nginx.conf:ro"
    ]
    assert (DOCKER / "k8s" / "overlays" / "split" / "nginx.conf").is_file()


def test_every_beat_is_health_checked_by_its_liveness_file():
    beats = [
        svc
        for profile in ("monolith", "split")
        for svc in in_profile(profile).values()
        if svc.get("command") == ["beat"]
    ]

    assert len(beats) == 1 + len(settings.DOMAIN_APPS)
    for beat in beats:
        assert beat["healthcheck"]["test"] == [
            "CMD",
            "python",
            "-m",
            "config.beat",
            "120",
        ]
