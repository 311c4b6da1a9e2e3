"""docker/observability: the alert rules pass promtool's checks and unit tests,
the Prometheus configurations load, and every metric a dashboard panel or an
alert reads is one the code registers; the docs hold a runbook per alert and
a line per panel.

promtool comes from Debian's `prometheus` package: without it the promtool
tests are skipped, unless REQUIRE_PROMTOOL=1 (CI) makes that a failure."""

import json
import os
import re
import shutil

import pytest
import yaml
from prometheus_client import REGISTRY

from apps.common.metrics import ConsumedQueuesCollector, _scrape_collectors
from apps.eventbus.metrics import BrokerQueuesCollector
from tests.deploy.conftest import DOCKER, ROOT, run

OBSERVABILITY = DOCKER / "observability"
PROMETHEUS = OBSERVABILITY / "prometheus"
RULES = PROMETHEUS / "shop.rules.yml"
DASHBOARDS = sorted((OBSERVABILITY / "grafana" / "dashboards").glob("*.json"))
OPERATIONS = ROOT / "docs" / "operations.md"
# Series Prometheus itself writes for every scrape target.
PROMETHEUS_OWN = {"up"}


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("REQUIRE_PROMTOOL") == "1":
            pytest.fail("REQUIRE_PROMTOOL=1 but promtool is not installed")
        pytest.skip("promtool is not installed (CI installs it: REQUIRE_PROMTOOL=1)")
    return found


def test_the_alert_rules_pass_promtool_check():
    result = run([promtool(), "check", "rules", RULES])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 8 rules found" in result.stdout


def test_the_alert_rules_pass_their_unit_tests():
    result = run([promtool(), "test", "rules", "shop.rules.test.yml"], cwd=PROMETHEUS)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_rule_unit_test_fails_when_an_alert_stops_firing(tmp_path):
    (tmp_path / "shop.rules.yml").write_text(
        RULES.read_text().replace(
            "events_dead_letters) > 0", "events_dead_letters) > 5"
        )
    )
    shutil.copy(PROMETHEUS / "shop.rules.test.yml", tmp_path)

    result = run([promtool(), "test", "rules", "shop.rules.test.yml"], cwd=tmp_path)

    assert result.returncode == 1
    assert "alertname: ShopDeadLetters" in result.stdout + result.stderr


def checked_config(name: str, tmp_path, *, secret: str, kubernetes: bool = False):
    """promtool check config on a copy whose file paths point at tmp_path."""
    (tmp_path / "token").write_text("t")
    shutil.copy(RULES, tmp_path / "shop.rules.yml")
    text = (PROMETHEUS / name).read_text()
    text = text.replace(secret, str(tmp_path / "token"))
    text = text.replace("/etc/prometheus/shop.rules.yml", str(tmp_path / RULES.name))
    if kubernetes and not supports_kubernetes_discovery(tmp_path):
        # Debian's promtool is built without Kubernetes discovery: the rest
        # of the job (authorization, relabelling) is still checked.
        config = yaml.safe_load(text)
        for job in config["scrape_configs"]:
            assert job.pop("kubernetes_sd_configs")[0]["role"] == "pod"
            job["static_configs"] = [{"targets": ["pod:8000"]}]
        text = yaml.safe_dump(config)
    (tmp_path / "prometheus.yml").write_text(text)
    return run([promtool(), "check", "config", tmp_path / "prometheus.yml"])


def supports_kubernetes_discovery(tmp_path) -> bool:
    probe = tmp_path / "probe.yml"
    probe.write_text(
        "scrape_configs: [{job_name: p, kubernetes_sd_configs: [{role: pod}]}]\n"
    )
    return run([promtool(), "check", "config", probe]).returncode == 0


def test_the_compose_scrape_configuration_loads(tmp_path):
    result = checked_config(
        "prometheus.yml", tmp_path, secret="/run/secrets/metrics_token"
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_kubernetes_scrape_configuration_loads(tmp_path):
    result = checked_config(
        "prometheus-kubernetes.yml",
        tmp_path,
        secret="/etc/prometheus/secrets/shop-metrics-token/METRICS_TOKEN",
        kubernetes=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_scrape_job_carries_the_metrics_token():
    for name in ("prometheus.yml", "prometheus-kubernetes.yml"):
        config = yaml.safe_load((PROMETHEUS / name).read_text())
        for job in config["scrape_configs"]:
            assert "credentials_file" in job["authorization"], (name, job["job_name"])
        assert config["rule_files"] == ["/etc/prometheus/shop.rules.yml"]


# --- every metric read is a metric the code registers -------------------------
STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
BRACES = re.compile(r"\{[^}]*\}|\[[^\]]*\]")
GROUPING = re.compile(
    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"
)
IDENTIFIER = re.compile(r"(?<![\w:.$])([a-zA-Z_:][\w:]*)\b(?!\s*\()")
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "le"}


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression reads (not its functions,
    labels, keywords or Grafana variables)."""
    expr = re.sub(r"\$\w+", "", STRINGS.sub('""', expr))
    expr = GROUPING.sub("", BRACES.sub("", expr))
    return {name for name in IDENTIFIER.findall(expr) if name not in KEYWORDS}


def registered_names() -> set[str]:
    suffixes = {
        "counter": ["_total", "_created"],
        "histogram": ["_bucket", "_sum", "_count", "_created"],
        "gauge": [""],
        "summary": ["", "_sum", "_count", "_created"],
        "info": ["_info"],
    }
    # The queue collectors run only where a broker or a worker is: named here.
    collectors = [
        REGISTRY,
        *_scrape_collectors,
        BrokerQueuesCollector(),
        ConsumedQueuesCollector(["q"]),
    ]
    return {
        family.name + suffix
        for collector in collectors
        for family in collector.collect()
        for suffix in suffixes.get(family.type, [""])
    }


def alert_rules() -> list[dict]:
    return [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]


def panels() -> list[dict]:
    return [
        panel
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
        if panel["type"] != "row"
    ]


def expressions() -> list[str]:
    return [rule["expr"] for rule in alert_rules()] + [
        target["expr"] for panel in panels() for target in panel["targets"]
    ]


def test_the_metric_name_reader_finds_series_and_skips_the_rest():
    expr = (
        'sum by (app) (label_replace(rate(http_requests_total{status=~"5.."}'
        '[$__rate_interval]), "app", "$1", "route", "x")) / on (app) '
        "max(up) unless histogram_quantile(0.9, x_bucket) > bool 2"
    )

    assert metric_names(expr) == {"http_requests_total", "up", "x_bucket"}


@pytest.mark.django_db
def test_every_metric_a_dashboard_or_alert_reads_is_registered():
    known = registered_names() | PROMETHEUS_OWN
    read = {name for expr in expressions() for name in metric_names(expr)}

    assert read - known == set()
    assert len(read) >= 20
    assert "made_up_metric_total" not in known


# --- the docs: a runbook per alert, a line per panel ---------------------------
def test_docs_hold_a_runbook_for_every_alert_and_a_line_for_every_panel():
    docs = OPERATIONS.read_text()
    headings = set(re.findall(r"^#### (\w+)$", docs, re.MULTILINE))

    for rule in alert_rules():
        assert rule["alert"] in headings, rule["alert"]
        anchor = rule["alert"].lower()
        assert rule["annotations"]["runbook"] == f"docs/operations.md#{anchor}"
    for panel in panels():
        assert f"| {panel['title']} |" in docs, panel["title"]
