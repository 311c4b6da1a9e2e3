"""docker/k8s: every manifest validates against the Kubernetes schemas
(kubernetes-validate, strict), rendered with kustomize where it is installed,
the base carries what the operations design asks for, and the split overlay
gives every app its deployable and a network that allows only its calls."""

import ipaddress
import re
import shutil
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.deploy.conftest import BIN, K8S, ROOT, load_all, run

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


OBSERVABILITY = K8S.parent / "observability"


@pytest.mark.parametrize(
    "directory", [BASE, *OVERLAYS, OBSERVABILITY], ids=lambda p: p.name
)
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


def test_the_migrate_jobs_delete_themselves_so_the_next_release_runs_them_again():
    jobs = [obj for (kind, _), obj in base_objects().items() if kind == "Job"]
    jobs += [
        doc
        for doc in load_all(K8S / "overlays" / "split" / "app" / "workloads.yaml")
        if doc["kind"] == "Job"
    ]

    assert len(jobs) == 2
    for job in jobs:
        assert job["spec"]["ttlSecondsAfterFinished"] == 0


def test_web_and_workers_are_scraped_on_their_metrics_ports():
    objects = base_objects()
    scraped = {
        name: obj["spec"]["template"]["metadata"].get("annotations", {})
        for (kind, name), obj in objects.items()
        if kind == "Deployment"
    }

    assert scraped.pop("shop-beat") == {}
    for name, annotations in scraped.items():
        port = "8000" if name == "shop-web" else "9100"
        assert annotations == {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": port,
        }, name


def test_the_secret_example_keeps_the_broker_and_the_cache_apart():
    (secret,) = load_all(SECRET_EXAMPLE)
    broker = secret["stringData"]["CELERY_BROKER_URL"].split("/")[2]
    cache = secret["stringData"]["CACHE_URL"].split("/")[2]

    assert broker != cache


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


SPLIT = K8S / "overlays" / "split"
INTERFACE_IMPORT = re.compile(r"^\s*from apps\.(\w+)\.interface import", re.MULTILINE)


def split_objects() -> dict[tuple[str, str], dict]:
    command = renderer()
    if command is None:
        pytest.skip("the split overlay is checked rendered: needs kustomize or kubectl")
    result = run([*command, SPLIT])
    assert result.returncode == 0, result.stderr
    return {
        (doc["kind"], doc["metadata"]["name"]): doc
        for doc in yaml.safe_load_all(result.stdout)
        if doc
    }


def calls_of(app: str) -> set[str]:
    """The deployables an app calls: the interfaces its code imports, and users
    for the public keys that verify access tokens."""
    imported = {
        other
        for path in (ROOT / "apps" / app).rglob("*.py")
        for other in INTERFACE_IMPORT.findall(path.read_text())
    }
    return (imported | {"users"}) - {app}


def pod_env(objects: dict, workload: tuple[str, str]) -> dict:
    (container,) = objects[workload]["spec"]["template"]["spec"]["containers"]
    env = {}
    for source in container["envFrom"]:
        if ref := source.get("configMapRef"):
            env |= objects["ConfigMap", ref["name"]]["data"]
        else:
            env["secret"] = source["secretRef"]["name"]
    return env


@pytest.mark.parametrize(
    ("objects", "ingress", "service"),
    [
        (base_objects, "shop-web", "shop-web"),
        (split_objects, "gateway", "gateway"),
    ],
)
def test_only_image_uploads_pass_the_ingress_with_the_catalogs_upload_limit(
    objects, ingress, service
):
    found = objects()
    uploads = found["Ingress", f"{ingress}-image-uploads"]
    annotations = "nginx.ingress.kubernetes.io/"

    assert found["Ingress", ingress]["metadata"]["annotations"] == {
        f"{annotations}proxy-body-size": "1m"
    }
    assert uploads["metadata"]["annotations"] == {
        f"{annotations}proxy-body-size": str(settings.CATALOG_IMAGE_UPLOAD_MAX_BODY),
        f"{annotations}use-regex": "true",
    }
    ((rule,),) = [uploads["spec"]["rules"]]
    assert [
        (p["path"], p["backend"]["service"]["name"]) for p in rule["http"]["paths"]
    ] == [
        ("/api/v1/catalog/products/[^/]+/images/$", service),
        ("/admin/catalog/product/(add|[^/]+/change)/$", service),
    ]


def test_the_split_overlay_runs_every_app_as_a_deployable_with_its_own_config():
    objects = split_objects()
    apps = settings.DOMAIN_APPS

    for app in apps:
        workloads = [("Deployment", f"{app}-{r}") for r in ("web", "worker", "beat")]
        for workload in [*workloads, ("Job", f"{app}-migrate")]:
            env = pod_env(objects, workload)
            assert env["SHOP_APPS"] == app, workload
            assert env["WORKER_QUEUES"] == app, workload
            assert env["DATABASE_ROUTING"] == "per-app", workload
            assert env["secret"] == f"{app}-secrets", workload
            assert {k: v for k, v in env.items() if k.startswith("SERVICE_URL_")} == {
                f"SERVICE_URL_{o.upper()}": f"http://{o}:8000" for o in apps if o != app
            }
            assert ("JWT_JWKS_URL" in env) == (app != "users"), workload
        service = objects["Service", app]["spec"]
        assert service["selector"] == {
            "shop/app": app,
            "app.kubernetes.io/component": "web",
        }
        assert service["ports"][0]["port"] == 8000
        assert objects["Deployment", f"{app}-beat"]["spec"]["replicas"] == 1


def selectors(peers: list[dict]) -> list[list[tuple[str, str]]]:
    """Pod selectors as sorted pairs: equal selectors compare equal in any order."""
    return sorted(sorted(peer["podSelector"]["matchLabels"].items()) for peer in peers)


def test_each_app_reaches_only_its_database_the_broker_the_cache_and_its_callees():
    objects = split_objects()
    dns = {"k8s-app": "kube-dns"}

    for app in settings.DOMAIN_APPS:
        egress = objects["NetworkPolicy", app]["spec"]["egress"]
        targets = selectors([peer for rule in egress for peer in rule["to"]])
        assert all(rule["ports"] for rule in egress), app
        assert targets == selectors(
            {"podSelector": {"matchLabels": labels}}
            for labels in [
                dns,
                {"shop/backing": f"postgres-{app}"},
                {"shop/backing": "redis"},
                {"shop/backing": "redis-cache"},
                *(
                    {"shop/app": callee, "app.kubernetes.io/component": "web"}
                    for callee in calls_of(app)
                ),
            ]
        ), app


def test_only_the_gateway_and_callers_reach_an_app_and_only_the_gateway_is_public():
    objects = split_objects()
    apps = settings.DOMAIN_APPS
    gateway = {"app.kubernetes.io/name": "shop-gateway"}

    for app in apps:
        (rule,) = objects["NetworkPolicy", app]["spec"]["ingress"]
        callers = [{"shop/app": c} for c in apps if app in calls_of(c)]
        assert selectors(rule["from"]) == selectors(
            {"podSelector": {"matchLabels": labels}} for labels in [gateway, *callers]
        ), app
    (public,) = objects["NetworkPolicy", "gateway"]["spec"]["ingress"]
    assert public == {"from": [INGRESS_CONTROLLER], "ports": [tcp(8080)]}
    assert objects["NetworkPolicy", "default-deny"]["spec"] == {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
    }
    ingresses = [obj for (kind, _), obj in objects.items() if kind == "Ingress"]
    backends = {
        path["backend"]["service"]["name"]
        for ingress in ingresses
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {"gateway"}


# --- Rollouts: migrations first, a closed network, a beat that is watched -----

INGRESS_CONTROLLER = {
    "namespaceSelector": {
        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
    },
    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}},
}
MONITORING = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}
}


def tcp(port: int) -> dict:
    return {"protocol": "TCP", "port": port}


def workloads(objects: dict) -> dict[str, dict]:
    return {
        name: obj
        for (kind, name), obj in objects.items()
        if kind in ("Deployment", "Job")
        and obj["spec"]["template"]["spec"].get(
            "serviceAccountName"
        )  # the app's pods (not the split gateway's nginx)
    }


@pytest.mark.parametrize(
    "objects", [base_objects, split_objects], ids=["base", "split"]
)
def test_web_workers_and_beat_wait_for_the_migrations_of_their_release(objects):
    pods = {
        name: obj["spec"]["template"]["spec"]
        for name, obj in workloads(objects()).items()
        if obj["kind"] == "Deployment"
    }

    assert len(pods) in (6, 12)  # web, beat, workers: per queue, or per app
    for name, pod in pods.items():
        (init,) = pod["initContainers"]
        (container,) = pod["containers"]
        assert init["args"] == ["manage", "wait_for_migrations", "--timeout", "600"]
        assert init["image"] == container["image"], name
        assert init["envFrom"] == container["envFrom"], name
        assert init["securityContext"] == container["securityContext"], name


def selects(selector: dict, labels: dict) -> bool:
    """A Kubernetes label selector (matchLabels, matchExpressions with In)."""
    expressions = selector.get("matchExpressions", [])
    assert {e["operator"] for e in expressions} <= {"In"}
    return all(
        labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()
    ) and all(labels.get(e["key"]) in e["values"] for e in expressions)


def policies_of(objects: dict, pod: dict) -> list[dict]:
    labels = pod["metadata"]["labels"]
    return [
        obj["spec"]
        for (kind, _), obj in objects.items()
        if kind == "NetworkPolicy" and selects(obj["spec"]["podSelector"], labels)
    ]


def allowed_ingress(objects: dict, pod: dict) -> list[tuple[dict, dict]]:
    return [
        (peer, port)
        for policy in policies_of(objects, pod)
        for rule in policy.get("ingress", [])
        for peer in rule.get("from", [{}])
        for port in rule["ports"]
    ]


@pytest.mark.parametrize(
    "objects", [base_objects, split_objects], ids=["base", "split"]
)
def test_a_network_policy_denies_every_pod_what_it_does_not_allow(objects):
    objects = objects()
    (deny,) = [
        obj["spec"]
        for (kind, _), obj in objects.items()
        if kind == "NetworkPolicy" and obj["metadata"]["name"].endswith("default-deny")
    ]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}

    for name, workload in workloads(objects).items():
        pod = workload["spec"]["template"]
        egress = [
            rule for p in policies_of(objects, pod) for rule in p.get("egress", [])
        ]
        reached = [peer for rule in egress for peer in rule["to"]]
        assert any(
            peer.get("podSelector") == {"matchLabels": {"k8s-app": "kube-dns"}}
            for peer in reached
        ), name
        assert all(rule["ports"] for rule in egress), name
        assert not any(
            peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0" for peer in reached
        )
        # From outside the namespace (or from anywhere): what each pod serves.
        external = [
            (peer, port)
            for peer, port in allowed_ingress(objects, pod)
            if "namespaceSelector" in peer or not peer
        ]
        labels = pod["metadata"]["labels"]
        component = labels.get("app.kubernetes.io/component") or labels.get(
            "app.kubernetes.io/name"
        )
        if component in ("web", "shop-web"):
            assert (MONITORING, tcp(8000)) in external, name
            assert all(p in (MONITORING, INGRESS_CONTROLLER) for p, _ in external)
            assert all(port == tcp(8000) for _, port in external), name
        elif component == "worker":
            assert external == [(MONITORING, tcp(9100))], name
        else:
            assert external == [], name  # beat and migrate serve nobody


def test_only_the_ingress_controller_and_prometheus_reach_web_in_the_base():
    objects = base_objects()
    web = objects["Deployment", "shop-web"]["spec"]["template"]

    assert sorted(map(str, allowed_ingress(objects, web))) == sorted(
        map(str, [(INGRESS_CONTROLLER, tcp(8000)), (MONITORING, tcp(8000))])
    )


@pytest.mark.parametrize(
    "objects", [base_objects, split_objects], ids=["base", "split"]
)
def test_beat_proves_it_is_alive(objects):
    beats = [
        obj["spec"]["template"]["spec"]["containers"][0]
        for name, obj in workloads(objects()).items()
        if name.endswith("beat")
    ]

    assert len(beats) in (1, 4)
    for beat in beats:
        probe = beat["livenessProbe"]
        *command, max_age = probe["exec"]["command"]
        assert command == ["python", "-m", "config.beat"]
        # Several missed ticks, not one slow one, restart beat.
        assert int(max_age) >= 3 * settings.CELERY_BEAT_MAX_LOOP_INTERVAL
        assert probe["periodSeconds"] * probe["failureThreshold"] >= int(max_age)


@pytest.mark.parametrize(
    "objects", [base_objects, split_objects], ids=["base", "split"]
)
def test_only_the_proxies_in_front_are_trusted_not_the_pod_network(objects):
    (config,) = [
        obj["data"]
        for (kind, name), obj in objects().items()
        if kind == "ConfigMap" and name == "shop-config"
    ]
    networks = [ipaddress.ip_network(c) for c in config["TRUSTED_PROXIES"].split(",")]

    assert networks
    assert all(network.num_addresses <= 256 for network in networks), networks
