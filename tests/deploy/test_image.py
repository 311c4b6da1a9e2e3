"""What the image runs: production settings pass `check --deploy` with no
warning, and the entry point migrates (what the init containers wait for),
serves and answers its health check."""

import os
import re
import signal
import subprocess
import time

import pytest

from stack.procs import free_port
from tests.deploy.conftest import BIN, DOCKER, PRODUCTION_ENV, ROOT, run

ENTRYPOINT = DOCKER / "entrypoint.sh"
CHECK_DEPLOY = [
    BIN / "python",
    "manage.py",
    "check",
    "--deploy",
    "--fail-level",
    "WARNING",
]


def test_production_settings_pass_check_deploy_with_no_warning():
    result = run(CHECK_DEPLOY, **PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_fails_on_a_weakened_production_setting():
    result = run(CHECK_DEPLOY, **PRODUCTION_ENV, SECURE_HSTS_SECONDS="0")

    assert result.returncode == 1
    assert "security.W004" in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_settings_refuse_to_start_without_a_required_value(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = run(
        [BIN / "python", "-c", "import config.settings.production"],
        drop=(missing,),
        **env,
    )

    assert result.returncode == 1
    assert f"{missing} must be set in production" in result.stderr


@pytest.mark.parametrize(
    ("changed", "refusal"),
    [
        ({"JWT_PRIVATE_KEY": ""}, "JWT_PRIVATE_KEY must be set where tokens"),
        ({"JWT_PRIVATE_KEY": "not-a-pem"}, "JWT_PRIVATE_KEY is not an unencrypted"),
        ({"SECRET_KEY": "change-me"}, "SECRET_KEY is shorter than 50"),
        ({"SECRET_KEY": "change-me-" + "0123456789" * 5}, "SECRET_KEY is a known"),
        ({"SECRET_KEY": "ab" * 40}, "SECRET_KEY is shorter than 50 characters or rep"),
    ],
)
def test_production_settings_refuse_a_weak_or_missing_key(changed, refusal):
    result = run(
        [BIN / "python", "-c", "import config.settings.production"],
        **{**PRODUCTION_ENV, **changed},
    )

    assert result.returncode == 1
    assert refusal in result.stderr


def test_the_entrypoint_migrates_serves_and_passes_its_health_check(tmp_path):
    web_port = free_port()
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'image.sqlite3'}",
        "DATABASE_ROUTING": "single",
        "BIND_HOST": "127.0.0.1",
        "PORT": str(web_port),
        "WEB_WORKERS": "1",
    }
    drop = ("CELERY_BROKER_URL", "CACHE_URL")

    wait = [ENTRYPOINT, "manage", "wait_for_migrations", "--timeout", "1"]
    unmigrated = run(wait, drop=drop, **env)
    assert unmigrated.returncode == 1
    assert "Migrations still missing after 1 s: default: " in unmigrated.stderr

    migrated = run([ENTRYPOINT, "migrate"], drop=drop, timeout=120, **env)
    assert migrated.returncode == 0, migrated.stderr
    assert "Migrating default" in migrated.stdout
    assert run(wait, drop=drop, **env).returncode == 0

    before = run([ENTRYPOINT, "healthcheck"], drop=drop, **env)
    assert before.returncode != 0  # nothing listens yet

    environ = {k: v for k, v in os.environ.items() if k not in drop}
    environ.update(env, PATH=f"{BIN}{os.pathsep}{environ['PATH']}")
    web = subprocess.Popen(
        [ENTRYPOINT, "web"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            healthy = run([ENTRYPOINT, "healthcheck"], drop=drop, **env)
            if healthy.returncode == 0 or time.monotonic() > deadline:
                break
            assert web.poll() is None, web.stderr.read().decode()
            time.sleep(0.3)
        assert healthy.returncode == 0, healthy.stderr
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=20)


def test_the_dockerfile_passes_hadolint_and_the_entrypoint_shellcheck():
    hadolint = run([BIN / "hadolint", "--no-color", DOCKER / "Dockerfile"])
    shellcheck = run([BIN / "shellcheck", ENTRYPOINT])

    assert hadolint.returncode == 0, hadolint.stdout
    assert shellcheck.returncode == 0, shellcheck.stdout


def test_hadolint_rejects_a_dockerfile_that_runs_as_root(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    text = (DOCKER / "Dockerfile").read_text()
    dockerfile.write_text(text.replace("USER 10001:10001", "USER root"))

    result = run([BIN / "hadolint", "--no-color", dockerfile])

    assert result.returncode == 1
    assert "DL3002" in result.stdout  # last USER should not be root


def test_the_final_image_stage_has_no_build_tools_and_runs_unprivileged():
    final_stage = (DOCKER / "Dockerfile").read_text().split(" AS runtime", 1)[1]

    assert "build-essential" not in final_stage
    assert "apt-get" not in final_stage
    assert "USER 10001:10001" in final_stage
    assert "HEALTHCHECK" in final_stage


def test_web_processes_return_argon2s_blocks_in_the_image_and_the_local_stacks():
    """Each login hashes 19 MiB; malloc's heap kept one such block per thread,
    which the soak saw as 100 -> 270 MiB per worker. Both starters map them."""
    image = re.search(
        r'MALLOC_MMAP_THRESHOLD_="\$\{MALLOC_MMAP_THRESHOLD_:-(\d+)\}"',
        ENTRYPOINT.read_text(),
    )
    local = re.search(
        r'"MALLOC_MMAP_THRESHOLD_", "(\d+)"', (ROOT / "stack" / "procs.py").read_text()
    )

    assert image and local
    assert int(image.group(1)) == int(local.group(1)) <= 19 * 2**20
