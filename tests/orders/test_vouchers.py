"""Vouchers: refusal codes, pricing with the database's rates and vouchers,
redemption and its release by the order lifecycle."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.common.errors import problem_exception_handler
from apps.orders.errors import VoucherRefused
from apps.orders.models import TaxRate, Voucher, VoucherRedemption
from apps.orders.services.pricing import PricedItem, price, release_voucher
from apps.orders.services.vouchers import voucher_check
from tests.orders.helpers import (
    CUSTOMER,
    WIDGET_ID,
    inventory_says,
    outbox,
    redeem,
    reservation_failed,
)

pytestmark = pytest.mark.django_db
D = Decimal


def voucher(code="SAVE10", **fields) -> Voucher:
    values = {"kind": "percentage", "target": "order", "value": D("10")}
    values.update(fields)
    return Voucher.objects.create(code=code, **values)


def items(unit_price="25.00", quantity=2):
    return [
        PricedItem(
            product_id=WIDGET_ID,
            quantity=quantity,
            unit_price=D(unit_price),
            tax_class="standard",
        )
    ]


def priced(code=None, *, country="DE", customer_id=None, email=None, **kwargs):
    return price(
        items=kwargs.pop("lines", items()),
        currency="EUR",
        country=country,
        shipping_price=D(kwargs.pop("shipping", "4.90")),
        voucher_code=code,
        customer_id=customer_id,
        email=email,
    )


def refusal(**kwargs) -> str:
    with pytest.raises(VoucherRefused) as refused:
        redeem(**kwargs)
    return refused.value.code


@pytest.fixture(autouse=True)
def german_vat():
    TaxRate.objects.create(country="DE", standard_rate=D("19"), reduced_rate=D("7"))


def test_price_uses_the_country_rate_and_an_applicable_voucher():
    voucher(code="Save10")

    totals = priced("  save10 ")

    assert totals.voucher_code == "Save10"
    assert totals.voucher_refusal is None
    assert (totals.subtotal, totals.discount, totals.shipping) == (
        D("50.00"),
        D("5.00"),
        D("4.90"),
    )
    # 45.00 and 4.90 gross at 19 %: 7.18 + 0.78.
    assert (totals.tax, totals.total) == (D("7.96"), D("49.90"))


def test_a_reduced_product_takes_the_countrys_reduced_rate():
    book = PricedItem(
        product_id=WIDGET_ID, quantity=1, unit_price=D("10.70"), tax_class="reduced"
    )

    totals = priced(lines=[book], shipping="0")

    assert totals.lines[0].tax == D("0.70")


def test_the_country_is_matched_in_any_case():
    assert priced(country="de").tax == D("8.76")


def test_a_country_without_a_rate_is_not_taxed():
    assert priced(country="US").tax == D("0.00")
    assert priced(country=None).tax == D("0.00")


def test_net_prices_add_the_tax(settings):
    settings.PRICES_INCLUDE_TAX = False

    totals = priced()

    assert (totals.tax, totals.total) == (D("10.43"), D("65.33"))


now = timezone.now()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"is_active": False}, "voucher_inactive"),
        ({"valid_from": now + dt.timedelta(days=1)}, "voucher_not_started"),
        ({"valid_until": now - dt.timedelta(seconds=1)}, "voucher_expired"),
        ({"usage_limit": 1, "uses": 1}, "voucher_used_up"),
        ({"minimum_spend": D("50.01")}, "voucher_minimum_spend"),
    ],
)
def test_a_refused_voucher_says_why_and_takes_nothing_off(fields, code):
    voucher(**fields)

    totals = priced("SAVE10", customer_id=CUSTOMER)

    assert (totals.voucher_code, totals.voucher_refusal) == (None, code)
    assert totals.discount == D("0")
    assert totals.total == D("54.90")


def test_an_unknown_code_is_refused():
    assert priced("NOPE").voucher_refusal == "voucher_unknown"


def test_the_minimum_spend_is_met_at_exactly_the_amount():
    voucher(minimum_spend=D("50.00"))

    assert priced("SAVE10").voucher_refusal is None


def test_a_voucher_valid_from_now_until_later_applies():
    voucher(
        valid_from=timezone.now() - dt.timedelta(seconds=1),
        valid_until=timezone.now() + dt.timedelta(hours=1),
    )

    assert priced("SAVE10").discount == D("5.00")


def test_redeeming_counts_a_use_and_publishes_it():
    v = voucher(usage_limit=2)

    order_id = redeem(email="Ada@Example.com ")

    v.refresh_from_db()
    assert v.uses == 1
    redemption = VoucherRedemption.objects.get()
    assert (redemption.order_id, redemption.customer_id, redemption.email) == (
        order_id,
        CUSTOMER,
        "ada@example.com",
    )
    assert redemption.state == "redeemed"
    assert outbox("orders.voucher.redeemed.v1") == [
        {
            "voucher_id": v.pk,
            "code": "SAVE10",
            "order_id": str(order_id),
            "customer_id": str(CUSTOMER),
        }
    ]


def test_a_used_up_voucher_is_refused_and_nothing_changes():
    v = voucher(usage_limit=1)
    redeem()

    assert refusal() == "voucher_used_up"

    v.refresh_from_db()
    assert v.uses == 1
    assert VoucherRedemption.objects.count() == 1
    assert len(outbox("orders.voucher.redeemed.v1")) == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"is_active": False}, "voucher_inactive"),
        ({"valid_from": now + dt.timedelta(days=1)}, "voucher_not_started"),
        ({"valid_until": now - dt.timedelta(seconds=1)}, "voucher_expired"),
    ],
)
def test_redeeming_an_unusable_voucher_is_refused(fields, code):
    voucher(**fields)

    assert refusal() == code
    assert VoucherRedemption.objects.count() == 0


def test_redeeming_an_unknown_code_is_refused():
    assert refusal(code="NOPE") == "voucher_unknown"


def test_the_per_customer_limit_counts_the_customer_and_their_address():
    v = voucher(usage_limit_per_customer=1)
    redeem(email="ada@example.com")

    assert refusal() == "voucher_customer_limit"
    assert (
        refusal(customer_id=None, email="ADA@example.com") == "voucher_customer_limit"
    )
    redeem(customer_id=uuid.uuid4(), email="bob@example.com")

    v.refresh_from_db()
    assert v.uses == 2
    assert VoucherRedemption.objects.count() == 2
    assert priced("SAVE10", customer_id=CUSTOMER).voucher_refusal == (
        "voucher_customer_limit"
    )
    assert priced("SAVE10", email="ada@example.com").voucher_refusal == (
        "voucher_customer_limit"
    )
    assert priced("SAVE10", customer_id=uuid.uuid4()).voucher_refusal is None


def test_a_per_customer_voucher_needs_someone_to_count():
    voucher(usage_limit_per_customer=1)

    assert refusal(customer_id=None, email="") == "voucher_customer_required"
    assert Voucher.objects.get().uses == 0


def test_releasing_gives_the_use_back_once():
    v = voucher(usage_limit=1, usage_limit_per_customer=1)
    order_id = redeem()

    release_voucher(order_id=order_id)
    release_voucher(order_id=order_id)

    v.refresh_from_db()
    assert v.uses == 0
    assert VoucherRedemption.objects.get().state == "released"
    assert outbox("orders.voucher.released.v1") == [
        {
            "voucher_id": v.pk,
            "code": "SAVE10",
            "order_id": str(order_id),
            "customer_id": str(CUSTOMER),
        }
    ]
    redeem()  # the customer's use and the voucher's are back
    v.refresh_from_db()
    assert v.uses == 1


def test_releasing_an_order_without_a_voucher_does_nothing():
    release_voucher(order_id=uuid.uuid4())

    assert outbox("orders.voucher.released.v1") == []


def test_cancelling_an_order_gives_its_voucher_back(placed_order, customer_client):
    v = voucher(usage_limit=1)
    redeem(order_id=placed_order.id)

    response = customer_client.post(f"/api/v1/orders/{placed_order.id}/cancel/")

    assert response.status_code == 200
    v.refresh_from_db()
    assert v.uses == 0
    assert [e["order_id"] for e in outbox("orders.voucher.released.v1")] == [
        str(placed_order.id)
    ]


def test_a_failed_order_gives_its_voucher_back(placed_order, deliver_events):
    v = voucher(usage_limit=1)
    redeem(order_id=placed_order.id)

    inventory_says(reservation_failed(placed_order.id))
    deliver_events()

    placed_order.refresh_from_db()
    assert placed_order.status == "failed"
    v.refresh_from_db()
    assert v.uses == 0
    assert VoucherRedemption.objects.get().state == "released"


def test_a_refunded_order_gives_its_voucher_back(paid_order, staff_client):
    v = voucher(usage_limit=1)
    redeem(order_id=paid_order.id)

    response = staff_client.post(f"/api/v1/orders/{paid_order.id}/cancel/")

    assert response.status_code == 200, response.json()
    v.refresh_from_db()
    assert v.uses == 0


def test_a_refusal_is_a_400_problem_naming_the_field():
    response = problem_exception_handler(
        VoucherRefused(code="voucher_expired", field="voucher_code"), {}
    )

    assert response.status_code == 400
    assert response.data["code"] == "voucher_expired"
    assert response.data["errors"] == {"voucher_code": ["This voucher has expired."]}


def test_a_voucher_applies_from_exactly_its_start_until_just_before_its_end():
    start = timezone.now()
    end = start + dt.timedelta(hours=1)
    voucher(valid_from=start, valid_until=end)

    def check(at):
        return voucher_check(code="SAVE10", customer_id=None, email=None, now=at)

    assert check(start).code == "SAVE10"
    assert check(end - dt.timedelta(microseconds=1)).code == "SAVE10"
    with pytest.raises(VoucherRefused) as expired:
        check(end)
    assert expired.value.code == "voucher_expired"


def test_a_code_is_found_in_any_case_and_without_its_spaces():
    voucher(code="Save10")

    assert priced(" sAVE10 ").voucher_code == "Save10"


def test_a_customer_without_an_address_redeems_a_per_customer_voucher():
    v = voucher(usage_limit_per_customer=1)

    redeem(customer_id=CUSTOMER, email="")
    redeem(customer_id=uuid.uuid4(), email="")

    # Neither is counted by the other's empty address.
    v.refresh_from_db()
    assert v.uses == 2
    assert refusal(customer_id=CUSTOMER, email="") == "voucher_customer_limit"


def test_releasing_records_when_and_never_counts_below_zero():
    v = voucher()
    order_id = redeem()
    Voucher.objects.filter(pk=v.pk).update(uses=0)  # reset by staff meanwhile

    release_voucher(order_id=order_id)

    v.refresh_from_db()
    assert v.uses == 0
    redemption = VoucherRedemption.objects.get()
    assert redemption.state == "released"
    assert timezone.now() - redemption.released_at < dt.timedelta(minutes=1)


def test_a_customers_uses_count_under_their_id_and_under_their_address():
    voucher(usage_limit_per_customer=1)
    other = voucher(code="OTHER", usage_limit_per_customer=1)
    redeem(customer_id=CUSTOMER, email="ada@example.com")
    redeem(customer_id=None, email="bob@example.com")
    redeem("OTHER", customer_id=uuid.uuid4(), email="cy@example.com")

    # Under their id with another address; under the address a guest used.
    assert refusal(customer_id=CUSTOMER, email="new@example.com") == (
        "voucher_customer_limit"
    )
    assert refusal(customer_id=uuid.uuid4(), email="bob@example.com") == (
        "voucher_customer_limit"
    )
    # Another voucher's use is not counted.
    redeem(customer_id=uuid.uuid4(), email="cy@example.com")
    other.refresh_from_db()
    assert other.uses == 1


def test_releasing_one_order_gives_back_only_its_voucher_use():
    codes = ["FIRST", "FREED", "LAST"]
    for code in codes:
        voucher(code=code)
    orders = [redeem(code) for code in codes]

    release_voucher(order_id=orders[1])

    uses = dict(Voucher.objects.values_list("code", "uses"))
    assert uses == {"FIRST": 1, "FREED": 0, "LAST": 1}
    assert dict(VoucherRedemption.objects.values_list("order_id", "state")) == {
        orders[0]: "redeemed",
        orders[1]: "released",
        orders[2]: "redeemed",
    }


def test_a_shipping_voucher_from_the_database_discounts_shipping_only():
    voucher(code="SHIP", target="shipping", value=D("100"))

    totals = priced("SHIP")

    assert (totals.discount, totals.total) == (D("4.90"), D("50.00"))
