"""wrk runs: a generated Lua script rotates over request paths or bodies and
prints its summary as one JSON line."""

import json
import subprocess
import tempfile
from pathlib import Path

from bench.driver import Result
from stack.procs import debian_tool

LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def ensure_wrk() -> str | None:
    return debian_tool("wrk", package="wrk")


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string here


def script(requests: list[dict]) -> str:
    """`requests`: dicts of method, path, optional body and headers."""
    entries = []
    for item in requests:
        headers = item.get("headers", {})
        header_lua = ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
        )
        body = _lua_string(item["body"]) if item.get("body") is not None else "nil"
        entries.append(
            f"  {{{_lua_string(item.get('method', 'GET'))}, {_lua_string(item['path'])}, {{{header_lua}}}, {body}}}"
        )
    return (
        "local reqs = {\n"
        + ",\n".join(entries)
        + "\n}\n"
        + "local i = 0\n"
        + "request = function()\n"
        + "  i = i % #reqs + 1\n"
        + "  local r = reqs[i]\n"
        + "  return wrk.format(r[1], r[2], r[3], r[4])\n"
        + "end\n"
        + LUA_DONE
    )


def run_wrk(
    name: str,
    *,
    port: int,
    requests: list[dict],
    seconds: int,
    connections: int,
    threads: int = 2,
) -> Result:
    binary = ensure_wrk()
    if binary is None:
        raise RuntimeError("wrk is not installed and could not be installed")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script(requests))
        lua = handle.name
    try:
        done = subprocess.run(
            [
                binary,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                lua,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        )
    finally:
        Path(lua).unlink(missing_ok=True)
    line = next(
        line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")
    )
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Result(
        name=name,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["status_errors"] + data["socket_errors"],
    )
