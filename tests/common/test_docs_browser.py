"""/api/docs/ renders in headless Chromium with nothing fetched off 127.0.0.1.

Needs Debian's `chromium` (apt-get install chromium). Where it is missing the
test is skipped, unless REQUIRE_BROWSER=1 makes that a failure.
"""

import json
import os
import shutil
import subprocess
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator

PORTS = range(8160, 8170)  # this worktree's share of the machine
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _free_server(app) -> WSGIServer:
    for port in PORTS:
        try:
            return make_server("127.0.0.1", port, app, handler_class=_Quiet)
        except OSError:
            continue
    raise RuntimeError(f"no free port in {PORTS.start}..{PORTS.stop - 1}")


@pytest.fixture
def served():
    server = _free_server(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def orders_paths(urlconf) -> list[str]:
    schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    return sorted(p for p in schema["paths"] if p.startswith("/api/v1/orders/"))


def render(url: str, tmp_path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and every URL the browser requested."""
    net_log = tmp_path / "net-log.json"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--log-net-log={net_log}",
            # Anything not on 127.0.0.1 fails to resolve (and is still logged).
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, page_requests(net_log.read_text())


def page_requests(net_log_text: str) -> list[str]:
    """URLs the page (not the browser's own services) asked for.

    A request made for the page is keyed to its site in the network isolation
    key, whoever it goes to; Chromium's update and time checks are not.
    """
    text = net_log_text.rstrip()
    if not text.endswith("}"):  # cut short when the browser exits
        text = text.rstrip(",") + "]}"
    log = json.loads(text)
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return sorted(
        {
            event["params"]["url"]
            for event in log["events"]
            if event["type"] == start_job
            and event.get("params", {})
            .get("network_isolation_key", "")
            .startswith("http://127.0.0.1")
        }
    )


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("REQUIRE_BROWSER") != "1",
    reason="Chromium not installed (apt-get install chromium)",
)
@pytest.mark.django_db
def test_docs_page_lists_the_orders_endpoints_offline(settings, served, tmp_path):
    assert CHROMIUM, "REQUIRE_BROWSER=1 but Chromium is not installed"
    expected = orders_paths(settings.ROOT_URLCONF)
    if not expected:  # until the orders app has views, its probes stand in
        settings.ROOT_URLCONF = "tests.common.urls"
        expected = orders_paths(settings.ROOT_URLCONF)

    dom, requested = render(f"{served}/api/docs/", tmp_path)

    assert expected
    for path in expected:
        assert f'data-path="{path}"' in dom, path
    assert any("/static/drf_spectacular_sidecar/" in url for url in requested)
    assert f"{served}/api/schema/" in requested
    offsite = [u for u in requested if not u.startswith(served + "/")]
    assert offsite == []
