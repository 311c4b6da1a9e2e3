""".github/workflows/ci.yml: actionlint accepts it (shellcheck on its `run`
scripts), it runs the test modes .ci/run runs, and it builds the image with
OCI labels, pushes it on version tags and pins the overlays to its digest."""

import re

import yaml

from tests.deploy.conftest import BIN, ROOT, run

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def actionlint(path):
    return run([BIN / "actionlint", "-no-color", path])


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def commands(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_actionlint_accepts_the_workflow():
    result = actionlint(WORKFLOW)

    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "ci.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        WORKFLOW.read_text().replace(
            "needs: [embedded, services, split]", "needs: [embedded, nowhere]"
        )
    )

    result = actionlint(broken)

    assert result.returncode == 1
    assert "nowhere" in result.stdout


def test_the_pipeline_runs_every_test_mode_of_ci_run():
    ci_run = (ROOT / ".ci" / "run").read_text()
    pipeline = "\n".join(commands(job) for job in workflow()["jobs"].values())
    modes = re.findall(r"make (test(?:-[a-z]+)*)\b", ci_run)

    assert set(modes) == {"test", "test-alone", "test-split", "test-split-faults"}
    for mode in modes:
        assert f"make {mode}" in pipeline, mode
    assert ".ci/ops-commands" in pipeline
    assert 'SPLIT_ARGS="--deployables users+catalog+orders,inventory"' in pipeline


def test_the_ops_check_runs_every_command_the_readme_lists():
    operations = (ROOT / "README.md").read_text().split("## Operations", 1)[1]
    listed = re.findall(r"^\| `([a-z_]+)", operations.split("\n## ", 1)[0], re.M)
    script = (ROOT / ".ci" / "ops-commands").read_text()
    declared = re.search(r"COMMANDS=\(([^)]*)\)", script).group(1).split()

    assert listed and sorted(declared) == sorted(listed)
    for command in listed:
        assert re.search(rf"^manage {command}\b", script, re.M), command


def test_services_mode_runs_against_postgresql_and_redis_service_containers():
    services = workflow()["jobs"]["services"]

    assert {name: s["image"] for name, s in services["services"].items()} == {
        "postgres": "postgres:17-alpine",
        "redis": "redis:7-alpine",
    }
    assert services["env"]["DATABASE_ROUTING"] == "per-app"
    assert services["env"]["REQUIRE_SERVICES"] == "1"
    assert "make migrate" in commands(services)


def test_the_image_is_labelled_pushed_on_tags_and_pinned_by_digest():
    image = workflow()["jobs"]["image"]
    steps = {step.get("uses", "").split("@")[0]: step for step in image["steps"]}
    build = steps["docker/build-push-action"]["with"]

    assert image["needs"] == ["embedded", "services", "split"]
    assert build["labels"] == "${{ steps.meta.outputs.labels }}"
    assert build["push"] == "${{ startsWith(github.ref, 'refs/tags/v') }}"
    assert "kustomize edit set image" in commands(image)
    assert "@${{ steps.build.outputs.digest }}" in str(image["steps"])
