"""Topology as configuration (config/topology.py, SHOP_APPS); no database needed."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.topology import (
    API_ROUTES,
    hosted_apps,
    hosted_jobs,
    installed_apps,
    session_engine,
)
from tests.architecture.conftest import ROOT

ALL = ["users", "catalog", "inventory", "orders"]

# What a deployable's own settings say, printed by a process started with them.
PROBE = """
import importlib, json, sys, django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve

def query_other_app():
    module, model = sys.argv[1].rsplit(".", 1)
    try:
        return getattr(importlib.import_module(module), model).objects.count()
    except RuntimeError as exc:
        return type(exc).__name__

def routes(*paths):
    found = {}
    for path in paths:
        try:
            found[path] = resolve(path).url_name
        except Resolver404:
            found[path] = None
    return found

print(json.dumps({
    "domain_apps": settings.DOMAIN_APPS,
    "databases": {a: c["NAME"] for a, c in settings.DATABASES.items()},
    "installed": settings.INSTALLED_APPS,
    "user_model": settings.AUTH_USER_MODEL,
    "jobs": sorted(settings.CELERY_BEAT_SCHEDULE),
    "other_query": query_other_app(),
    "routes": routes("/api/v1/catalog/products/", "/api/v1/orders/"),
}))
"""


def deployable_settings(shop_apps: str, *, other_model: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SHOP_APPS": shop_apps,
        "DATABASE_ROUTING": "per-app",
        "DATABASE_URL": "postgres://shop@db.invalid:5432/shop",
    }
    env.pop("DATABASE_URL_CATALOG", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, other_model],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def catalog_deployable() -> dict:
    return deployable_settings("catalog", other_model="apps.orders.models.Order")


def test_the_default_hosts_every_app_with_the_demo_root():
    assert settings.DOMAIN_APPS == settings.ALL_DOMAIN_APPS == ALL
    assert "apps.demo" in settings.INSTALLED_APPS
    assert settings.AUTH_USER_MODEL == "users.User"


def test_hosted_apps_keep_the_canonical_order():
    assert hosted_apps(requested=["orders", "users"], all_apps=ALL) == [
        "users",
        "orders",
    ]


@pytest.mark.parametrize("requested", [["catalog", "payments"], []])
def test_an_unknown_or_empty_topology_refuses_to_start(requested):
    with pytest.raises(ImproperlyConfigured, match="SHOP_APPS"):
        hosted_apps(requested=requested, all_apps=ALL)


def test_a_deployable_installs_the_kernel_and_its_apps_only():
    apps = installed_apps(hosted=["inventory"], all_apps=ALL, home_app="users")

    domain = [app for app in apps if app.startswith("apps.")]
    assert domain == [
        "apps.common",
        "apps.eventbus",
        "apps.users.staff_replica",
        "apps.inventory",
    ]
    assert "rest_framework_simplejwt.token_blacklist" not in apps


def test_the_token_blacklist_stays_beside_the_user_model():
    apps = installed_apps(hosted=["users", "orders"], all_apps=ALL, home_app="users")

    assert "rest_framework_simplejwt.token_blacklist" in apps
    assert "apps.demo" not in apps


def test_a_deployable_runs_its_own_periodic_jobs_only():
    schedule = {
        "relay-users": {"options": {"queue": "users"}},
        "expire": {"options": {"queue": "inventory"}},
    }

    assert hosted_jobs(schedule=schedule, hosted=["inventory"]) == {
        "expire": {"options": {"queue": "inventory"}}
    }


def test_every_app_has_public_routes():
    assert sorted(API_ROUTES) == sorted(ALL)


def test_a_deployable_holds_exactly_its_own_database(catalog_deployable):
    assert catalog_deployable["domain_apps"] == ["catalog"]
    assert catalog_deployable["databases"] == {"default": "shop_catalog"}


def test_an_orm_query_on_another_apps_model_fails_there(catalog_deployable):
    assert catalog_deployable["other_query"] == "RuntimeError"
    assert "apps.orders" not in catalog_deployable["installed"]
    assert "apps.demo" not in catalog_deployable["installed"]


def test_a_deployable_serves_its_own_routes_and_jobs_only(catalog_deployable):
    assert catalog_deployable["routes"] == {
        "/api/v1/catalog/products/": "product-list",
        "/api/v1/orders/": None,
    }
    assert catalog_deployable["jobs"] == [
        "eventbus-prune-catalog",
        "eventbus-relay-catalog",
    ]


def test_django_tables_live_in_the_deployables_own_database(catalog_deployable):
    # No users app here: the admin session's staff members, on `default` =
    # shop_catalog, resolved through users' interface.
    assert catalog_deployable["user_model"] == "staff_replica.StaffMember"


def test_deployables_share_sessions_one_process_keeps_them_in_its_database():
    assert session_engine(hosted=ALL, all_apps=ALL).endswith(".db")
    assert session_engine(hosted=["catalog"], all_apps=ALL).endswith(".cache")
    assert session_engine(hosted=["users"], all_apps=ALL).endswith(".cache")


def test_a_mixed_deployable_puts_django_tables_with_the_user_model():
    mixed = deployable_settings(
        "orders,users,catalog", other_model="apps.inventory.models.StockItem"
    )

    assert mixed["domain_apps"] == ["users", "catalog", "orders"]
    assert mixed["databases"] == {
        "default": "shop_users",
        "catalog": "shop_catalog",
        "orders": "shop_orders",
    }
    assert mixed["user_model"] == "users.User"
    assert mixed["other_query"] == "RuntimeError"
