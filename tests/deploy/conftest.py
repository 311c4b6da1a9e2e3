"""Helpers for the deployment files' tests: paths, subprocesses, YAML."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

from apps.common.jwt_keys import private_key_pem_new

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
K8S = DOCKER / "k8s"
BIN = Path(sys.executable).parent

# What the image's production settings need, with throw-away values.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "test-only-" + "k" * 60,
    "JWT_PRIVATE_KEY": private_key_pem_new(),
    "ALLOWED_HOSTS": "shop.example.com",
    "DATABASE_URL": "postgres://shop@db:5432/shop",
    "CACHE_URL": "redis://cache:6379/0",
    "ORDERS_PAYMENT_GATEWAY": "apps.orders.gateway.TestGateway",
}


def run(args, *, timeout=60, drop=(), cwd=ROOT, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in drop}
    environ["PATH"] = f"{BIN}{os.pathsep}{environ.get('PATH', '')}"
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def load_all(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
