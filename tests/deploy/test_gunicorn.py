"""The web server as config/gunicorn.py runs it: slow clients do not starve
it, and it does not name itself."""

import re
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.deploy.conftest import BIN, ROOT

SLOW_CLIENTS = 6


@pytest.fixture
def gunicorn():
    process = subprocess.Popen(
        [BIN / "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env={
            "PATH": str(BIN),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "BIND_HOST": "127.0.0.1",
            "PORT": "0",
            "WEB_WORKERS": "2",
        },
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield _listening_port(process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _listening_port(process) -> int:
    for line in process.stderr:
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
        if found:
            port = int(found.group(1))
            _warm_up(port)
            return port
    raise RuntimeError("gunicorn did not start")


def _warm_up(port: int) -> None:
    """Until every worker has booted and answered once."""
    for _ in range(20):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30):
            pass


def _slow_client(port: int) -> socket.socket:
    """Sends the headers of a 1000-byte body, then only its first bytes."""
    conn = socket.create_connection(("127.0.0.1", port))
    conn.sendall(
        b"POST /api/v1/auth/token/ HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    return conn


def test_healthz_stays_fast_while_slow_clients_hold_connections(gunicorn):
    slow = [_slow_client(gunicorn) for _ in range(SLOW_CLIENTS)]
    try:
        time.sleep(0.5)
        started = time.monotonic()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{gunicorn}/healthz", timeout=10
        ) as response:
            elapsed = time.monotonic() - started
            headers = response.headers
    finally:
        for conn in slow:
            conn.close()

    assert elapsed < 1.0
    assert headers.get("Server") is None
