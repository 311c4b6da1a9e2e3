"""Split mode on this machine: every deployable, its workers and beat, and the
nginx gateway (`make run-split`, `make test-split`; docs/topologies.md).

    python -m stack.split run  [--deployables users+catalog+orders,inventory]
    python -m stack.split test [--deployables ...] [pytest arguments]

PostgreSQL and Redis come from the environment as in production mode; every
process is stopped by its own id on exit, Ctrl-C or SIGTERM.
"""

import argparse
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from apps.common.jwt_keys import private_key_pem_new
from config.topology import HOME_APP, hosted_apps
from stack.gateway import ensure_nginx, nginx_argv, render_config, write_config
from stack.procs import BIN, ROOT, ProcessGroup, http_status, manage, wait_for

ALL_APPS = ["users", "catalog", "inventory", "orders"]
DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/shop_split",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/6",
    "CACHE_URL": "redis://127.0.0.1:6379/7",
    "GATEWAY_PORT": "8080",
    # Each app listens on the base plus its place in ALL_APPS (8101-8104).
    "SPLIT_PORT_BASE": "8101",
    # Requests per second per client address at the edge (burst 200).
    "GATEWAY_RATE": "50r/s",
}
STAFF_EMAIL = "split-staff@example.com"


def parse_deployables(spec: str) -> list[list[str]]:
    """`users+catalog+orders,inventory` -> [[users, catalog, orders], [inventory]];
    every app hosted exactly once."""
    groups = [
        hosted_apps(requested=group.split("+"), all_apps=ALL_APPS)
        for group in spec.split(",")
    ]
    hosted = sorted(app for group in groups for app in group)
    if hosted != sorted(ALL_APPS):
        raise SystemExit(f"--deployables must host every app exactly once: {spec}")
    return groups


def app_port(app: str, *, port_base: int) -> int:
    return port_base + ALL_APPS.index(app)


def app_addresses(groups: list[list[str]], *, port_base: int) -> dict[str, str]:
    """A deployable listens on the port of the first app it hosts."""
    return {
        app: f"127.0.0.1:{app_port(group[0], port_base=port_base)}"
        for group in groups
        for app in group
    }


def shared_env(*, gateway_port: int, environ: dict) -> dict:
    env = {**environ}
    for name, value in DEFAULTS.items():
        env.setdefault(name, value)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_ROUTING": "per-app",
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(48),
            "SERVICE_SECRET": env.get("SERVICE_SECRET") or secrets.token_urlsafe(32),
            "JWT_PRIVATE_KEY": env.get("JWT_PRIVATE_KEY") or private_key_pem_new(),
            "ALLOWED_HOSTS": env.get("ALLOWED_HOSTS", "127.0.0.1,localhost"),
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{gateway_port},"
            f"http://localhost:{gateway_port}",
            # Plain HTTP on this machine: no TLS redirect, no secure-only cookies.
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "METRICS_PROTECTED": "false",
            # A trial stack on this machine: payments through the test gateway.
            "ORDERS_PAYMENT_GATEWAY": env.get(
                "ORDERS_PAYMENT_GATEWAY", "apps.orders.gateway.TestGateway"
            ),
            "LOG_FORMAT": env.get("LOG_FORMAT", "plain"),
        }
    )
    env.pop("SHOP_APPS", None)
    return env


def deployable_env(base: dict, *, group: list[str], addresses: dict) -> dict:
    remote = {
        f"SERVICE_URL_{app.upper()}": f"http://{addresses[app]}"
        for app in ALL_APPS
        if app not in group
    }
    env = {**base, **remote, "SHOP_APPS": ",".join(group)}
    if HOME_APP not in group:
        # Only the deployable that issues tokens holds the private key; the
        # others verify with the keys it publishes.
        env.pop("JWT_PRIVATE_KEY")
        env["JWT_JWKS_URL"] = f"http://{addresses[HOME_APP]}/api/v1/auth/jwks/"
    return env


class SplitStack:
    def __init__(
        self,
        *,
        groups: list[list[str]],
        gateway_port: int,
        port_base: int,
        run_dir: Path,
        environ: dict | None = None,
    ):
        """`environ`: what the processes inherit (this process's environment
        unless given)."""
        self.groups, self.gateway_port, self.run_dir = groups, gateway_port, run_dir
        self.port_base = port_base
        self.addresses = app_addresses(groups, port_base=port_base)
        self.base_env = shared_env(
            gateway_port=gateway_port,
            environ=os.environ if environ is None else environ,
        )
        self.group = ProcessGroup(run_dir / "logs")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def env_of(self, group: list[str]) -> dict:
        return deployable_env(self.base_env, group=group, addresses=self.addresses)

    def prepare(self) -> None:
        """Each deployable's own databases, migrated; the staff account; the
        merged schema the gateway serves."""
        for group in self.groups:
            manage(self.env_of(group), "migrate_all", "-v", "0")
        home = next(group for group in self.groups if HOME_APP in group)
        manage(
            {**self.env_of(home), "STAFF_PASSWORD": self.staff_password},
            *("create_staff", "--email", STAFF_EMAIL, "--no-input"),
        )
        schema_dir = self.run_dir / "schema"
        schema_dir.mkdir(exist_ok=True)
        every_app = {**self.base_env, "DATABASE_ROUTING": "single"}
        for fmt, name in (
            ("openapi", "openapi.yaml"),
            ("openapi-json", "openapi.json"),
        ):
            manage(
                every_app,
                "spectacular",
                "--format",
                fmt,
                "--file",
                str(schema_dir / name),
            )

    @property
    def staff_password(self) -> str:
        return self.base_env.setdefault(
            "SPLIT_STAFF_PASSWORD", secrets.token_urlsafe(16)
        )

    def start(self) -> None:
        ensure_nginx()
        self.prepare()
        for group in self.groups:
            self.start_deployable(group)
        config = render_config(
            app_addresses=self.addresses,
            port=self.gateway_port,
            run_dir=self.run_dir,
            schema_dir=self.run_dir / "schema",
            rate=self.base_env["GATEWAY_RATE"],
            image_body_limit=str(self.image_upload_max_body()),
        )
        path = write_config(run_dir=self.run_dir, config=config)
        self.group.start("gateway", nginx_argv(path), self.base_env)
        for group in self.groups:
            self.wait_ready(group)
        wait_for(
            lambda: http_status(f"{self.url}/healthz") == 200,
            timeout=30,
            what="the gateway",
        )

    def image_upload_max_body(self) -> int:
        """The catalog deployable's CATALOG_IMAGE_UPLOAD_MAX_BODY, as its
        settings read it from this environment."""
        code = (
            "from django.conf import settings; "
            "print(settings.CATALOG_IMAGE_UPLOAD_MAX_BODY)"
        )
        catalog = self.env_of(self.deployable_of("catalog"))
        return int(manage(catalog, "shell", "-c", code).split()[-1])

    def deployable_of(self, app: str) -> list[str]:
        return next(group for group in self.groups if app in group)

    def process_names(self, group: list[str]) -> dict[str, str]:
        """Each process of a deployable by its kind: web, beat, worker-<app>."""
        name = "+".join(group)
        workers = {f"worker-{app}": f"worker-{app}" for app in group}
        return {"web": f"web-{name}", **workers, "beat": f"beat-{name}"}

    def start_deployable(self, group: list[str]) -> None:
        """Starts whichever of the deployable's processes is not running, so a
        stopped or killed one comes back beside the others."""
        env = self.env_of(group)
        web_env = {
            **env,
            "BIND_HOST": "127.0.0.1",
            "PORT": str(app_port(group[0], port_base=self.port_base)),
            "WEB_WORKERS": env.get("SPLIT_WEB_WORKERS", "2"),
        }
        argv = {
            "web": (
                [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
                web_env,
            ),
            **{f"worker-{app}": (worker_argv(app), env) for app in group},
            "beat": (beat_argv(self.run_dir / "+".join(group)), env),
        }
        for kind, name in self.process_names(group).items():
            if not self.is_running(name):
                self.group.start(name, *argv[kind])

    def stop_deployable(self, group: list[str]) -> None:
        for name in self.process_names(group).values():
            self.group.stop(name)

    def is_running(self, name: str) -> bool:
        proc = self.group.procs.get(name)
        return proc is not None and proc.poll() is None

    def wait_ready(self, group: list[str], *, timeout: float = 90) -> None:
        port = app_port(group[0], port_base=self.port_base)
        wait_for(
            lambda: http_status(f"http://127.0.0.1:{port}/readyz") == 200,
            timeout=timeout,
            what=f"deployable {'+'.join(group)} /readyz",
        )

    def failed(self) -> list[str]:
        return [
            name for name, proc in self.group.procs.items() if proc.poll() is not None
        ]

    def stop(self) -> None:
        self.group.stop_all()


def worker_argv(app: str) -> list[str]:
    return [
        *(str(BIN / "celery"), "-A", "config", "worker", "-Q", app),
        *("-n", f"{app}@%h", "-c", "1", "-l", "INFO"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]


def beat_argv(state: Path) -> list[str]:
    state.mkdir(parents=True, exist_ok=True)
    schedule = str(state / "celerybeat-schedule")
    return [str(BIN / "celery"), "-A", "config", "beat", "-s", schedule, "-l", "INFO"]


def _stop_on_sigterm() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def serve(stack: SplitStack) -> int:
    print(f"\n  Gateway: {stack.url}/api/v1/catalog/products/")
    print(f"  Docs:    {stack.url}/api/docs/  (every deployable's routes)")
    print(f"  Staff:   {STAFF_EMAIL} / {stack.staff_password}")
    print(f"  Logs:    {stack.group.log_dir}\n  Ctrl-C stops everything.\n", flush=True)
    while not stack.failed():
        time.sleep(1)
    print(f"stopped unexpectedly: {', '.join(stack.failed())}", file=sys.stderr)
    return 1


def run_tests(stack: SplitStack, pytest_args: list[str]) -> int:
    env = {
        **os.environ,
        "SPLIT_GATEWAY_URL": stack.url,
        "SPLIT_STAFF_EMAIL": STAFF_EMAIL,
        "SPLIT_STAFF_PASSWORD": stack.staff_password,
    }
    argv = [str(BIN / "pytest"), "tests/split", "-m", "split", *pytest_args]
    return subprocess.run(argv, cwd=ROOT, env=env, check=False).returncode


def stack_from_environment(
    *, deployables: str, environ: dict | None = None
) -> SplitStack:
    """The ports from GATEWAY_PORT and SPLIT_PORT_BASE, the runner's defaults
    otherwise."""
    environ = os.environ if environ is None else environ
    return SplitStack(
        groups=parse_deployables(deployables),
        gateway_port=int(environ.get("GATEWAY_PORT", DEFAULTS["GATEWAY_PORT"])),
        port_base=int(environ.get("SPLIT_PORT_BASE", DEFAULTS["SPLIT_PORT_BASE"])),
        run_dir=Path(tempfile.mkdtemp(prefix="shop-split-")),
        environ=environ,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "test"])
    parser.add_argument("--deployables", default=",".join(ALL_APPS))
    # Anything else goes to pytest (`test` only).
    args, pytest_args = parser.parse_known_args(argv)
    stack = stack_from_environment(deployables=args.deployables)
    _stop_on_sigterm()
    try:
        stack.start()
        if args.command == "run":
            return serve(stack)
        return run_tests(stack, pytest_args)
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
