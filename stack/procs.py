"""Starting and always stopping the processes of a private stack.

Every process is started in its own session so that it and its children
(gunicorn or Celery pool workers) are stopped together by that process's own
id; nothing is ever stopped by name.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def free_port() -> int:
    """A port nothing listens on now (the system's pick), for a test's server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def installed_tool(binary: str) -> str | None:
    """`binary` from PATH or /usr/sbin, where Debian puts daemons (outside a
    normal user's PATH)."""
    return shutil.which(binary, path=f"{os.environ.get('PATH', '')}:/usr/sbin")


def debian_tool(binary: str, *, package: str) -> str | None:
    """`installed_tool(binary)`, installed with apt-get when it is missing and
    apt-get is at hand; None otherwise."""
    found = installed_tool(binary)
    if found or not shutil.which("apt-get"):
        return found
    print(f"{binary} not found: trying `apt-get install -y {package}`", flush=True)
    install = ["apt-get", "install", "-y", "-qq", package]
    if subprocess.run(install, check=False, capture_output=True).returncode != 0:
        # A fresh machine may not have read the package lists yet.
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(install, check=False, capture_output=True)
    return installed_tool(binary)


class ProcessGroup:
    """The processes one run started; `stop_all` stops each by its id."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - kept for the process
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def stop(self, name: str, *, timeout: float = 10) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)  # the group this process leads
            try:
                proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def kill(self, name: str) -> None:
        """SIGKILL, as a crash would: no clean shutdown for it or its children."""
        proc = self.procs.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for name in reversed(list(self.procs)):
            self.stop(name)


def child_pids(pid: int) -> list[int]:
    """The processes `pid` started (a Celery worker's pool, gunicorn's workers)."""
    done = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True
    )
    return [int(line) for line in done.stdout.split()]


def kill_pool_children(
    pid: int, *, kills: int, pause: float, timeout: float = 60
) -> int:
    """SIGKILLs the processes running a Celery worker's tasks every `pause`
    seconds, as crashes mid-task would, until `kills` were killed (the pool
    respawns them) or `timeout` passed; how many it killed."""
    killed, deadline = 0, time.monotonic() + timeout
    while killed < kills and time.monotonic() < deadline:
        time.sleep(pause)
        for child in child_pids(pid):
            os.kill(child, signal.SIGKILL)
            killed += 1
    return killed


def run(argv: list[str], env: dict, *, timeout: float = 300) -> str:
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    return run([PYTHON, "manage.py", *args], env, timeout=timeout)


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = ""):
    """Poll `predicate` until it returns a truthy value; bounded in time."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting after {timeout}s for {what}")
        time.sleep(interval)


def http_status(url: str, *, timeout: float = 2) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def start_web(group: ProcessGroup, env: dict, *, port: int, workers: int):
    """gunicorn with the production config file (config/gunicorn.py) and its
    threads per worker (WEB_THREADS)."""
    web_env = {
        **env,
        "BIND_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_WORKERS": str(workers),
        # As docker/entrypoint.sh: Argon2's 19 MiB per login returned on free.
        "MALLOC_MMAP_THRESHOLD_": env.get("MALLOC_MMAP_THRESHOLD_", "1048576"),
    }
    argv = [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"]
    group.start("gunicorn", argv, web_env)
    wait_for(
        lambda: http_status(f"http://127.0.0.1:{port}/healthz") == 200,
        timeout=60,
        what="gunicorn /healthz",
    )


def start_worker(
    group: ProcessGroup,
    env: dict,
    *,
    name: str,
    queues: list[str],
    concurrency: int | None = None,
):
    """A Celery worker on `queues`; its pool size is the settings' own
    (WORKER_CONCURRENCY) unless `concurrency` says otherwise."""
    argv = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "-Q",
        ",".join(queues),
        "-n",
        f"{name}@%h",
        *(("-c", str(concurrency)) if concurrency else ()),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "INFO",
    ]
    return group.start(f"worker-{name}", argv, env)


def start_beat(group: ProcessGroup, env: dict, *, schedule_dir: Path):
    argv = [
        str(BIN / "celery"),
        "-A",
        "config",
        "beat",
        "-s",
        str(schedule_dir / "celerybeat-schedule"),
        "-l",
        "INFO",
    ]
    return group.start("beat", argv, env)


class PrivateRedis:
    """A redis-server of our own on 127.0.0.1:`port`, with an append-only file
    so that stopping and starting it loses no queued message."""

    def __init__(self, group: ProcessGroup, *, port: int, data_dir: Path):
        self.group, self.port, self.data_dir = group, port, data_dir
        data_dir.mkdir(parents=True, exist_ok=True)

    def start(self) -> None:
        argv = [
            shutil.which("redis-server") or "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
            "--maxmemory-policy",
            "noeviction",
        ]
        self.group.start(f"redis-{self.port}", argv, dict(os.environ))
        wait_for(self.is_up, timeout=10, what=f"redis on {self.port}")

    def stop(self) -> None:
        self.group.stop(f"redis-{self.port}")

    def is_up(self) -> bool:
        done = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "ping"],
            capture_output=True,
            text=True,
            check=False,
        )
        return "PONG" in done.stdout


class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb in a temporary directory) on
    127.0.0.1:`port`. As root it runs as the `postgres` system user."""

    def __init__(self, *, port: int):
        self.port = port
        self.base = Path(tempfile.mkdtemp(prefix="shop-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "postgres.log"

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *argv]
        return argv

    def _pg(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            self._as_owner([_pg_bin("pg_ctl"), "-D", str(self.data), *args]),
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def init(self) -> None:
        if os.geteuid() == 0:  # initdb refuses root; /tmp/shop-pg-* is traversable
            shutil.chown(self.base, "postgres", "postgres")
        subprocess.run(
            self._as_owner(
                [
                    _pg_bin("initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-k {self.base} -c fsync=off -c max_connections=200"
        )
        self._pg("-o", options, "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        self._pg("-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self._pg("-m", "immediate", "-w", "stop", timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")):
        return str(candidate)
    raise FileNotFoundError(name)
