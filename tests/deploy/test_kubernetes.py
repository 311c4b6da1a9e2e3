"""docker/k8s: every manifest validates against the Kubernetes schemas
(kubernetes-validate, strict), rendered with kustomize where it is installed,
and the base carries what the operations design asks for."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.deploy.conftest import BIN, K8S, load_all, run

BASE = K8S / "base"
OVERLAYS = sorted(p for p in (K8S / "overlays").iterdir() if p.is_dir())
SECRET_EXAMPLE = BASE / "secret.example.yaml"


def renderer() -> list[str] | None:
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    return None


def resource_files(directory: Path) -> list[Path]:
    """The complete manifests a kustomization lists (patches are not complete
    objects and are validated only once rendered)."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    found = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        found += resource_files(path) if path.is_dir() else [path]
    return found


def manifests_to_validate(directory: Path, tmp_path: Path) -> list[Path]:
    command = renderer()
    if command is None:
        return resource_files(directory)
    result = run([*command, directory])
    assert result.returncode == 0, result.stderr
    rendered = tmp_path / f"{directory.name}.yaml"
    rendered.write_text(result.stdout)
    return [rendered]


def kubernetes_validate(*paths):
    return run([BIN / "kubernetes-validate", "--strict", "--quiet", *paths])


def base_objects() -> dict[tuple[str, str], dict]:
    return {
        (doc["kind"], doc["metadata"]["name"]): doc
        for path in resource_files(BASE)
        for doc in load_all(path)
    }


@pytest.mark.parametrize("directory", [BASE, *OVERLAYS], ids=lambda p: p.name)
def test_every_manifest_validates_against_the_kubernetes_schemas(directory, tmp_path):
    paths = manifests_to_validate(directory, tmp_path)

    result = kubernetes_validate(*paths)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_secret_example_validates_and_holds_placeholders_only():
    (secret,) = load_all(SECRET_EXAMPLE)

    assert kubernetes_validate(SECRET_EXAMPLE).returncode == 0
    assert all(
        "REPLACE_ME" in v or "redis://" in v for v in secret["stringData"].values()
    )
    assert SECRET_EXAMPLE not in resource_files(BASE)


def test_the_validation_rejects_a_broken_manifest(tmp_path):
    broken = tmp_path / "beat.yaml"
    broken.write_text(
        (BASE / "beat.yaml").read_text().replace("replicas: 1", 'replicas: "one"')
    )

    result = kubernetes_validate(broken)

    assert result.returncode == 1
    assert "deployment/shop-beat" in result.stdout + result.stderr


def test_a_worker_deployment_and_autoscaler_per_queue_and_one_for_web():
    objects = base_objects()
    queues = list(settings.DOMAIN_APPS)

    for name in ["shop-web", *(f"shop-worker-{q}" for q in queues)]:
        assert ("Deployment", name) in objects
        assert (
            objects["HorizontalPodAutoscaler", name]["spec"]["scaleTargetRef"]["name"]
            == name
        )
    for queue in queues:
        container = objects["Deployment", f"shop-worker-{queue}"]["spec"]["template"][
            "spec"
        ]["containers"][0]
        assert {"name": "WORKER_QUEUES", "value": queue} in container["env"]
    assert ("PodDisruptionBudget", "shop-web") in objects
    assert ("Service", "shop-web") in objects
    assert ("Ingress", "shop-web") in objects
    assert ("Job", "shop-migrate") in objects


def test_beat_runs_exactly_once():
    beat = base_objects()["Deployment", "shop-beat"]

    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert ("HorizontalPodAutoscaler", "shop-beat") not in base_objects()


def test_web_probes_liveness_and_readiness():
    (web,) = base_objects()["Deployment", "shop-web"]["spec"]["template"]["spec"][
        "containers"
    ]

    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_every_pod_runs_non_root_with_resources():
    pods = [
        obj["spec"]["template"]["spec"]
        for (kind, _), obj in base_objects().items()
        if kind in ("Deployment", "Job")
    ]

    assert len(pods) == 7  # web, beat, a worker per app queue, migrate
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
            assert set(container["resources"]) == {"requests", "limits"}
