"""What crosses an app boundary at run time: relations and table access.

Used by `manage.py boundaries_report` and the architecture tests. Imports are
a build fact, checked by import-linter's contracts (pyproject.toml). The
kernel imports no domain app: models come from Django's app registry, events
from the event bus registry.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings

from apps.common.db import alias_for
from apps.eventbus import registry

KERNEL_APPS = ("common", "eventbus")


def owner_of(app_label: str) -> str:
    """The app whose boundary a model of `app_label` lives inside. Django's own
    apps (auth, admin, sessions, ...) live with the home app on its database."""
    if app_label in settings.DOMAIN_APPS or app_label in KERNEL_APPS:
        return app_label
    return settings.HOME_APP


def cross_app_relations(models) -> list[str]:
    """Every ForeignKey, OneToOne or ManyToMany from a model to a model of another
    app (Django's own apps count as the home app's)."""
    found = []
    for model in models:
        for fld in model._meta.get_fields(include_hidden=True):
            if not fld.is_relation or fld.auto_created or fld.related_model is None:
                continue
            target = fld.related_model
            if isinstance(target, str):  # an unresolved lazy reference
                target_label = target.split(".")[0]
            else:
                target_label = target._meta.app_label
            source_label = model._meta.app_label
            if owner_of(source_label) != owner_of(target_label):
                found.append(
                    f"{source_label}.{model.__name__}.{fld.name} -> "
                    f"{target_label}.{getattr(target, '__name__', target)}"
                )
    return found


def app_tables() -> dict[str, set[str]]:
    """Table name -> the apps whose managed models create it (one, unless two
    apps create the same table). Unmanaged models own nothing."""
    tables: dict[str, set[str]] = {}
    for model in django_apps.get_models(include_auto_created=True):
        if not model._meta.managed:
            continue
        owners = tables.setdefault(model._meta.db_table, set())
        owners.add(owner_of(model._meta.app_label))
    return tables


def foreign_tables(app: str, tables: dict[str, set[str]]) -> set[str]:
    return {table for table, owners in tables.items() if owners - {app}}


def models_on_foreign_tables(app: str, models, tables) -> list[str]:
    """Models of `app` whose `db_table` is (also) another app's table."""
    others = foreign_tables(app, tables)
    return [
        f"{app}.{model.__name__} uses table {model._meta.db_table}"
        for model in models
        if model._meta.db_table in others
    ]


def table_access(app: str, app_dir: Path, tables: dict[str, set[str]]) -> list[str]:
    """Source lines of `app` naming another app's table or loading another app's
    model by name (`apps.get_model("other", ...)`), outside migrations."""
    foreign = sorted(foreign_tables(app, tables))
    table_re = re.compile(r"\b(" + "|".join(map(re.escape, foreign)) + r")\b")
    labels = sorted({c.label for c in django_apps.get_app_configs()} - {app})
    get_model_re = re.compile(
        r"get_model\(\s*['\"](" + "|".join(map(re.escape, labels)) + r")[.'\"]"
    )
    found = []
    for path in sorted(app_dir.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for regex in (table_re, get_model_re):
                if match := regex.search(line):
                    found.append(f"{path.name}:{number} {match.group(0)}")
    return found


@dataclass
class AppReport:
    app: str
    database: str
    publishes: list[str] = field(default_factory=list)
    consumes: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)


def boundaries_report() -> list[AppReport]:
    tables = app_tables()
    event_types = sorted(cls.event_type for cls in registry.all_event_classes())
    reports = []
    for app in [*settings.DOMAIN_APPS, *KERNEL_APPS]:
        config = django_apps.get_app_config(app)
        report = AppReport(app=app, database=alias_for(app))
        report.publishes = [t for t in event_types if t.split(".")[0] == app]
        report.consumes = [t for t in event_types if app in registry.consumers_of(t)]
        report.violations += [
            f"relation {r}" for r in cross_app_relations(config.get_models())
        ]
        report.violations += [
            f"table access {hit}"
            for hit in [
                *models_on_foreign_tables(app, config.get_models(), tables),
                *table_access(app, Path(config.path), tables),
            ]
        ]
        reports.append(report)
    return reports
