"""A throw-away copy of the project in which a test plants a violation."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db import models

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(args, *, cwd: Path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project_copy(tmp_path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".import_linter_cache")
    for name in ("apps", "config", "tests", "bench", "stack"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    for name in ("manage.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def plant(root: Path, module: str, line: str) -> None:
    """Add `line` to `module` in the copy (a new file when it does not exist)."""
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    if not path.exists() and path.with_suffix("").is_dir():
        path = path.with_suffix("") / "__init__.py"
    existing = path.read_text() if path.exists() else ""
    path.write_text(f"{existing}\n{line}\n")


@pytest.fixture
def planted_model():
    """Declare a model in the real app registry for one test, then remove it."""
    created = []

    def declare(app_label: str, name: str, **fields):
        meta = type("Meta", (), {"app_label": app_label})
        attrs = {"__module__": f"apps.{app_label}.models", "Meta": meta, **fields}
        model = type(name, (models.Model,), attrs)
        created.append(model)
        return model

    yield declare
    for model in created:
        del django_apps.all_models[model._meta.app_label][model._meta.model_name]
    django_apps.clear_cache()
