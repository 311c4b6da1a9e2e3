"""Staff API of tax rates and vouchers: CRUD, permissions, bad input."""

from decimal import Decimal

import pytest

from apps.orders.models import TaxRate, Voucher
from tests.orders.helpers import outbox, redeem

pytestmark = pytest.mark.django_db
RATES = "/api/v1/orders/tax-rates/"
VOUCHERS = "/api/v1/orders/vouchers/"
SPRING = {
    "code": "SPRING10",
    "kind": "percentage",
    "value": "10.00",
    "valid_from": "2026-03-01T00:00:00Z",
    "valid_until": "2026-04-01T00:00:00Z",
    "usage_limit": 5,
}


def rows():
    return list(TaxRate.objects.values_list("country", "standard_rate", "reduced_rate"))


def test_staff_create_list_change_and_delete_a_tax_rate(staff_client):
    created = staff_client.post(
        RATES,
        {"country": "de", "standard_rate": "19", "reduced_rate": "7.00"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert {k: v for k, v in created.json().items() if k != "updated_at"} == {
        "country": "DE",
        "standard_rate": "19.00",
        "reduced_rate": "7.00",
    }
    listed = staff_client.get(RATES).json()
    assert [r["country"] for r in listed["results"]] == ["DE"]
    assert staff_client.get(f"{RATES}de/").json()["standard_rate"] == "19.00"

    changed = staff_client.patch(f"{RATES}DE/", {"reduced_rate": "5"}, format="json")

    assert changed.status_code == 200
    assert rows() == [("DE", Decimal("19.00"), Decimal("5.00"))]
    assert staff_client.delete(f"{RATES}DE/").status_code == 204
    assert rows() == []
    assert staff_client.delete(f"{RATES}DE/").status_code == 404
    assert staff_client.get(f"{RATES}DE/").status_code == 404
    assert staff_client.patch(f"{RATES}FR/", {}, format="json").status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": "DEU"}, "country"),
        ({"standard_rate": "-1"}, "standard_rate"),
        ({"reduced_rate": "100.01"}, "reduced_rate"),
        ({"standard_rate": "abc"}, "standard_rate"),
        ({"country": "AT"}, "country"),  # exists already
    ],
)
def test_bad_tax_rate_input_is_a_400_naming_the_field(staff_client, payload, field):
    TaxRate.objects.create(country="AT", standard_rate=20, reduced_rate=10)
    body = {"country": "FR", "standard_rate": "20", "reduced_rate": "5.5", **payload}

    response = staff_client.post(RATES, body, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]
    assert rows() == [("AT", Decimal("20.00"), Decimal("10.00"))]


def test_a_rate_change_out_of_range_changes_nothing(staff_client):
    TaxRate.objects.create(country="AT", standard_rate=20, reduced_rate=10)

    response = staff_client.patch(
        f"{RATES}AT/", {"standard_rate": "150"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["standard_rate"]
    assert rows() == [("AT", Decimal("20.00"), Decimal("10.00"))]


def test_staff_create_find_change_and_delete_a_voucher(staff_client):
    created = staff_client.post(VOUCHERS, SPRING, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert {k: body[k] for k in ("code", "kind", "target", "value", "uses")} == {
        "code": "SPRING10",
        "kind": "percentage",
        "target": "order",
        "value": "10.00",
        "uses": 0,
    }
    assert (body["minimum_spend"], body["is_active"]) == ("0.00", True)
    url = f"{VOUCHERS}{body['id']}/"
    found = staff_client.get(VOUCHERS, {"code": "ring"}).json()["results"]
    assert [v["code"] for v in found] == ["SPRING10"]
    assert staff_client.get(VOUCHERS, {"code": "autumn"}).json()["results"] == []

    changed = staff_client.patch(
        url, {"value": "15", "is_active": False}, format="json"
    )

    assert changed.status_code == 200, changed.json()
    voucher = Voucher.objects.get()
    # A partial change keeps what it does not name (target, minimum spend).
    assert (voucher.value, voucher.is_active, voucher.usage_limit) == (
        Decimal("15.00"),
        False,
        5,
    )
    assert staff_client.get(url).json()["value"] == "15.00"
    assert staff_client.delete(url).status_code == 204
    assert Voucher.objects.count() == 0
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"value": "-5"}, "value"),
        ({"value": "0"}, "value"),
        ({"value": "100.01"}, "value"),
        ({"minimum_spend": "-0.01"}, "minimum_spend"),
        ({"valid_until": "2026-02-01T00:00:00Z"}, "valid_until"),
        ({"valid_until": "2026-03-01T00:00:00Z"}, "valid_until"),
        ({"usage_limit": 0}, "usage_limit"),
        ({"usage_limit_per_customer": -1}, "usage_limit_per_customer"),
        ({"kind": "bogus"}, "kind"),
        ({"target": "everything"}, "target"),
        ({"code": "no spaces"}, "code"),
        ({"code": "taken"}, "code"),
        ({"code": ""}, "code"),
    ],
)
def test_bad_voucher_input_is_a_400_naming_the_field(staff_client, payload, field):
    Voucher.objects.create(code="TAKEN", kind="fixed", value=5)

    response = staff_client.post(VOUCHERS, {**SPRING, **payload}, format="json")

    assert response.status_code == 400, response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]
    assert list(Voucher.objects.values_list("code", flat=True)) == ["TAKEN"]


def test_a_fixed_amount_above_100_is_fine(staff_client):
    response = staff_client.post(
        VOUCHERS, {**SPRING, "kind": "fixed", "value": "150.00"}, format="json"
    )

    assert response.status_code == 201


def test_changes_are_checked_with_the_fields_already_stored(staff_client):
    voucher = Voucher.objects.create(code="FIX", kind="fixed", value=150, uses=3)
    url = f"{VOUCHERS}{voucher.pk}/"

    to_percentage = staff_client.patch(url, {"kind": "percentage"}, format="json")
    below_uses = staff_client.patch(url, {"usage_limit": 2}, format="json")
    uses = staff_client.patch(url, {"uses": 0}, format="json")

    assert to_percentage.status_code == 400
    assert list(to_percentage.json()["errors"]) == ["value"]
    assert below_uses.status_code == 400
    assert list(below_uses.json()["errors"]) == ["usage_limit"]
    # `uses` is not an input: ignored like any unknown field.
    assert uses.status_code == 200
    voucher.refresh_from_db()
    assert (voucher.kind, voucher.usage_limit, voucher.uses) == ("fixed", None, 3)


def test_a_redeemed_voucher_cannot_be_deleted(staff_client):
    voucher = Voucher.objects.create(code="USED", kind="fixed", value=5)
    redeem(code="USED")

    response = staff_client.delete(f"{VOUCHERS}{voucher.pk}/")

    assert response.status_code == 409
    assert response.json()["code"] == "voucher_in_use"
    assert Voucher.objects.count() == 1
    assert len(outbox("orders.voucher.redeemed.v1")) == 1


@pytest.mark.parametrize("url", [RATES, f"{RATES}DE/", VOUCHERS, f"{VOUCHERS}1/"])
def test_only_staff_reach_tax_rates_and_vouchers(customer_client, api_client, url):
    TaxRate.objects.create(country="DE", standard_rate=19, reduced_rate=7)
    Voucher.objects.create(pk=1, code="SECRET", kind="fixed", value=5)

    for client, status in ((customer_client, 403), (api_client, 401)):
        assert client.get(url).status_code == status
        assert client.post(url, {}, format="json").status_code in (status, 405)
        assert client.patch(url, {"value": "1"}, format="json").status_code in (
            status,
            405,
        )
        assert client.delete(url).status_code in (status, 405)
    assert rows() == [("DE", Decimal("19.00"), Decimal("7.00"))]
    assert list(Voucher.objects.values_list("code", "value")) == [
        ("SECRET", Decimal("5.00"))
    ]
