"""The boundaries between apps, machine-checked, and each check shown failing on
a violation planted in a throw-away copy of the project."""

import ast
import datetime as dt
import decimal
import fnmatch
import json
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import models
from hypothesis import Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.common.boundaries import cross_app_relations
from apps.eventbus.registry import all_event_classes
from tests.architecture.conftest import BIN, ROOT, plant, run

CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
    "importlinter"
]["contracts"]
PUBLIC_FILES = ("interface.py", "contracts.py", "events.py")
# Modules a public contracts.py / events.py may import besides the standard library.
FRAMEWORK_FREE_ALLOWED = ("apps.eventbus.schema",)


def lint_imports(root: Path):
    return run([str(BIN / "lint-imports"), "--no-cache"], cwd=root)


def planted_module(root: Path, module: str) -> str:
    """A new module inside `module` when it is a package, else `module` itself."""
    is_package = root.joinpath(*module.split(".")).is_dir()
    return f"{module}.planted_violation" if is_package else module


def private_module(root: Path, package: str, contract: dict) -> str:
    """A module of `package` that no ignore line of `contract` allow-lists; an
    external package or a plain module is returned as it is."""
    directory = root.joinpath(*package.split("."))
    if not directory.is_dir():
        return package
    allowed = [line.split(" -> ")[1] for line in contract.get("ignore_imports", [])]
    candidates = (
        f"{package}.{path.stem}"
        for path in sorted(directory.glob("*.py"))
        if path.stem != "__init__"
    )
    return next(
        name
        for name in candidates
        if not any(fnmatch.fnmatchcase(name, pattern) for pattern in allowed)
    )


def forbidden_import(root: Path, contract: dict, target: str) -> tuple[str, str]:
    source = planted_module(root, contract["source_modules"][0])
    module = private_module(root, target, contract)
    return source, f"import {module}  # noqa: F401"


def violations_for(root: Path, contract: dict) -> list[tuple[str, str]]:
    """(module, line) pairs that break `contract` and nothing it allows."""
    kind = contract["type"]
    if kind == "forbidden":
        return [forbidden_import(root, contract, contract["forbidden_modules"][0])]
    if kind == "acyclic_siblings":
        first, second = settings.DOMAIN_APPS[:2]
        return [
            (f"apps.{first}.planted_violation", f"import apps.{second}.interface"),
            (f"apps.{second}.planted_violation", f"import apps.{first}.interface"),
        ]
    if kind == "layers":
        container = contract["containers"][0]

        def first_name(layer):
            return layer.split("|")[0].strip(" ()")

        top, bottom = (
            first_name(contract["layers"][0]),
            first_name(contract["layers"][-1]),
        )
        return [(f"{container}.{bottom}", f"import {container}.{top}  # noqa: F401")]
    pytest.fail(f"no planted violation for a {kind!r} contract: add one here")


def test_every_import_contract_is_kept_on_this_tree():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


@pytest.mark.parametrize("contract", CONTRACTS, ids=[c["name"] for c in CONTRACTS])
def test_each_import_contract_fails_on_a_planted_violation(project_copy, contract):
    for module, line in violations_for(project_copy, contract):
        plant(project_copy, module, line)

    result = lint_imports(project_copy)

    assert result.returncode == 1, result.stdout
    assert f"{contract['name']} BROKEN" in result.stdout


def contract_named(name: str) -> dict:
    return next(contract for contract in CONTRACTS if contract["name"] == name)


def test_production_code_importing_a_benchmark_is_caught(project_copy):
    contract = contract_named("production code never imports tests or benchmarks")
    plant(project_copy, *forbidden_import(project_copy, contract, "bench"))

    result = lint_imports(project_copy)

    assert result.returncode == 1, result.stdout
    assert f"{contract['name']} BROKEN" in result.stdout
    assert "-> bench." in result.stdout


def test_a_module_the_layers_contract_does_not_place_is_caught(project_copy):
    contract = contract_named("layers inside each app")
    container = contract["containers"][-1]
    plant(project_copy, f"{container}.planted_helpers", "VALUE = 1")

    result = lint_imports(project_copy)

    assert result.returncode == 1, result.stdout
    assert f"{contract['name']} BROKEN" in result.stdout
    assert f"{container}.planted_helpers" in result.stdout


def test_no_model_relates_to_a_model_of_another_app():
    assert cross_app_relations(django_apps.get_models(include_auto_created=True)) == []


def test_relations_to_djangos_own_apps_are_allowed_in_the_home_app_only():
    user_model = django_apps.get_model(settings.AUTH_USER_MODEL)
    related = {f.related_model for f in user_model._meta.many_to_many}

    assert django_apps.get_model("auth", "Group") in related
    assert cross_app_relations([user_model]) == []


def test_a_planted_foreign_key_to_another_apps_model_is_caught(planted_model):
    review = planted_model(
        "catalog",
        "PlantedReview",
        author=models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE),
    )

    assert cross_app_relations([review]) == [
        "catalog.PlantedReview.author -> users.User"
    ]


def test_planted_one_to_one_and_many_to_many_across_apps_are_caught(planted_model):
    profile = planted_model(
        "orders",
        "PlantedProfile",
        user=models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE),
        groups=models.ManyToManyField("auth.Group", related_name="+"),
    )

    assert sorted(cross_app_relations([profile])) == [
        "orders.PlantedProfile.groups -> auth.Group",
        "orders.PlantedProfile.user -> users.User",
    ]


def test_a_relation_inside_one_app_is_allowed(planted_model):
    parent = planted_model("inventory", "PlantedBin")
    child = planted_model(
        "inventory",
        "PlantedSlot",
        bin=models.ForeignKey(parent, on_delete=models.CASCADE),
    )

    assert cross_app_relations([parent, child]) == []


def non_stdlib_imports(source: str) -> list[str]:
    """Imports of a public contracts/events module that are neither the standard
    library nor the framework-free event schema."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and name not in (
                FRAMEWORK_FREE_ALLOWED
            ):
                found.append(name)
    return found


def missing_public_modules(app_dir: Path) -> list[str]:
    return [name for name in PUBLIC_FILES if not (app_dir / name).is_file()]


@pytest.mark.parametrize("app", ["users", "catalog", "inventory", "orders"])
def test_every_app_has_its_public_modules_and_they_import_no_framework(app):
    app_dir = ROOT / "apps" / app

    assert missing_public_modules(app_dir) == []
    for name in ("contracts.py", "events.py"):
        assert non_stdlib_imports((app_dir / name).read_text()) == [], name


def test_the_domain_apps_are_the_four_of_the_design():
    assert settings.DOMAIN_APPS == ["users", "catalog", "inventory", "orders"]


def test_a_planted_app_without_events_module_is_caught(tmp_path):
    for name in ("interface.py", "contracts.py"):
        (tmp_path / name).write_text("")

    assert missing_public_modules(tmp_path) == ["events.py"]


def test_planted_framework_imports_in_a_public_module_are_caught():
    source = (
        "import uuid\n"
        "from dataclasses import dataclass\n"
        "from apps.eventbus.schema import Event\n"
        "from django.db import models\n"
        "import rest_framework.fields, celery\n"
        "from . import sibling\n"
    )

    assert non_stdlib_imports(source) == [
        "django.db",
        "rest_framework.fields",
        "celery",
    ]


EVENT_CLASSES = sorted(all_event_classes(), key=lambda cls: cls.event_type)
st.register_type_strategy(
    decimal.Decimal, st.decimals(allow_nan=False, allow_infinity=False, places=2)
)
st.register_type_strategy(dt.datetime, st.datetimes(timezones=st.just(dt.UTC)))


def test_every_event_type_is_versioned_and_named_after_its_producer():
    assert len(EVENT_CLASSES) == 23
    for cls in EVENT_CLASSES:
        app, subject, action, version = cls.event_type.split(".")
        assert app in settings.DOMAIN_APPS
        assert cls.__module__ == f"apps.{app}.events"
        assert version == f"v{cls.major_version()}"


@pytest.mark.parametrize("cls", EVENT_CLASSES, ids=lambda cls: cls.event_type)
def test_every_event_round_trips_through_json(cls):
    @hypothesis_settings(
        max_examples=15, deadline=None, database=None, phases=[Phase.generate]
    )
    @given(st.from_type(cls))
    def round_trip(event):
        wire = json.loads(json.dumps(event.to_payload()))
        assert cls.from_payload(wire) == event

    round_trip()
