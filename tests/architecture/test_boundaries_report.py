"""`manage.py boundaries_report`: clean on this tree, non-zero on a planted
foreign key or table access."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import models

from apps.common.boundaries import app_tables, table_access


def report_json() -> dict:
    out = io.StringIO()
    call_command("boundaries_report", "--json", stdout=out)
    return {entry["app"]: entry for entry in json.loads(out.getvalue())}


def test_the_report_of_this_tree_crosses_no_boundary():
    report = report_json()

    assert list(report) == [
        "users",
        "catalog",
        "inventory",
        "orders",
        "common",
        "eventbus",
    ]
    assert all(entry["violations"] == [] for entry in report.values())
    assert {app: report[app]["database"] for app in settings.DOMAIN_APPS} == (
        settings.APP_DATABASES
    )
    assert report["users"]["publishes"] == [
        "users.user.erased.v1",
        "users.user.registered.v1",
    ]
    assert report["catalog"]["publishes"] == [
        "catalog.category.changed.v1",
        "catalog.product.changed.v1",
        "catalog.product.created.v1",
        "catalog.product.deactivated.v1",
        "catalog.product.price_changed.v1",
    ]
    assert len(report["orders"]["publishes"]) == 8


def test_the_text_report_ends_with_the_verdict():
    out = io.StringIO()

    call_command("boundaries_report", stdout=out, no_color=True)

    text = out.getvalue()
    assert "orders\n  database:  " in text
    assert "publishes: users.user.erased.v1, users.user.registered.v1\n" in text
    assert text.endswith("No boundary is crossed.\n")


def test_a_planted_foreign_key_makes_the_report_fail(planted_model):
    planted_model(
        "orders",
        "PlantedCustomerLink",
        customer=models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE),
    )
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"^1 boundary violation\(s\)$"):
        call_command("boundaries_report", stdout=out, no_color=True)

    assert (
        "VIOLATION relation orders.PlantedCustomerLink.customer -> users.User"
        in out.getvalue()
    )


def test_a_planted_model_on_another_apps_table_makes_the_report_fail(planted_model):
    planted_model(
        "catalog",
        "PlantedUserView",
        Meta=type(
            "Meta",
            (),
            {"app_label": "catalog", "db_table": "users_user", "managed": False},
        ),
    )
    out = io.StringIO()

    with pytest.raises(CommandError, match=r"^1 boundary violation\(s\)$"):
        call_command("boundaries_report", stdout=out, no_color=True)

    assert "VIOLATION table access catalog.PlantedUserView uses table users_user" in (
        out.getvalue()
    )


def test_planted_table_access_and_get_model_are_caught(tmp_path):
    (tmp_path / "raw.py").write_text(
        'SQL = "SELECT id FROM users_user WHERE is_staff"\n'
        "ok = 'catalog_product'\n"
        'Order = apps.get_model("orders", "Order")\n'
    )

    assert table_access("catalog", tmp_path, app_tables()) == [
        "raw.py:1 users_user",
        'raw.py:3 get_model("orders"',
    ]
