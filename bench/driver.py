"""A small keep-alive HTTP client and a bounded, threaded load driver for the
flows wrk cannot express (an order is done when it is confirmed)."""

import http.client
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


class Client:
    """One keep-alive connection per thread to 127.0.0.1:`port`."""

    def __init__(self, port: int, *, timeout: float = 10):
        self.port, self.timeout = port, timeout
        self._local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout
            )
            self._local.conn = conn
        return conn

    def request(self, method: str, path: str, body=None, *, token=None, headers=None):
        """Returns (status, parsed JSON body or None, seconds)."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            all_headers["Content-Type"] = "application/json"
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        for attempt in (
            1,
            2,
        ):  # a keep-alive connection the server closed: reconnect once
            conn = self._conn()
            try:
                conn.request(method, path, body=payload, headers=all_headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    return None, None, time.perf_counter() - started
        elapsed = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            self._local.conn = None
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        return response.status, data, elapsed


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    # Order rows: placement to the confirming worker's stamp (see scenarios).
    stamped_p50_ms: float | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def drive(name: str, action, *, concurrency: int, seconds: float) -> Result:
    """Runs `action()` -> (ok, latency_seconds) in `concurrency` threads until
    `seconds` have passed (each thread finishes its current action)."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def loop():
        while time.monotonic() < deadline:
            ok, latency = action()
            with lock:
                latencies.append(latency)
                errors[0] += 0 if ok else 1

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(loop) for _ in range(concurrency)]:
            future.result()
    elapsed = time.monotonic() - started
    return Result(
        name=name,
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        errors=errors[0],
    )
