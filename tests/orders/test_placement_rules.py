"""Placement's own rules, at the service: the currency rule's answer, a
guest's unpaid hold by e-mail address, tax by the product's class and prices
rounded half up (survivors of placement's full mutation run)."""

from decimal import Decimal

import pytest

from apps.catalog.contracts import ProductSnapshot
from apps.common.errors import ValidationFailed
from apps.orders.errors import UnpaidHoldLimit, VoucherRefused
from apps.orders.models import TaxRate, Voucher
from apps.orders.services import placement
from tests.orders.helpers import ADDRESS, CUSTOMER, GADGET_ID, WIDGET_ID, outbox

pytestmark = pytest.mark.django_db
DOLLAR_ID = GADGET_ID.__class__("00000000-0000-4000-8000-000000000004")


def snapshot(product_id, *, price, currency="EUR", tax_class="standard"):
    return ProductSnapshot(
        id=product_id,
        sku=f"SKU-{str(product_id)[-2:]}",
        name="Thing",
        unit_price=Decimal(price),
        currency=currency,
        is_active=True,
        tax_class=tax_class,
    )


def place(*product_ids, user_id=CUSTOMER, email="", quantity=1):
    return placement.order_place(
        user_id=user_id,
        items=[
            placement.RequestedLine(product_id=p, quantity=quantity)
            for p in product_ids
        ],
        address=placement.ShippingAddress(**ADDRESS),
        checkout=placement.CheckoutDetails(email=email),
    )


def test_lines_in_two_currencies_are_refused_on_items(catalog, fake_catalog):
    fake_catalog.product_add(snapshot(DOLLAR_ID, price="3.00", currency="USD"))

    with pytest.raises(ValidationFailed) as refused:
        place(WIDGET_ID, DOLLAR_ID)

    assert refused.value.extra["errors"] == {
        "items": ["All products of one order must share a currency."]
    }


def test_a_guests_unpaid_units_are_counted_by_e_mail_address(catalog, settings):
    settings.ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT = 5
    place(WIDGET_ID, user_id=None, email="guest@example.com", quantity=4)

    with pytest.raises(UnpaidHoldLimit):
        place(WIDGET_ID, user_id=None, email="guest@example.com", quantity=2)
    place(WIDGET_ID, user_id=None, email="other@example.com", quantity=5)


def test_a_reduced_rate_product_is_taxed_at_the_reduced_rate(fake_catalog):
    TaxRate.objects.create(
        country="GB", standard_rate=Decimal("20"), reduced_rate=Decimal("5")
    )
    fake_catalog.product_add(snapshot(WIDGET_ID, price="10.50", tax_class="reduced"))

    order = place(WIDGET_ID)

    assert order.tax == Decimal("0.50")  # 5 % inside 10.50 (gross prices)


def test_a_price_in_finer_units_is_rounded_half_up_to_the_cent(fake_catalog):
    fake_catalog.product_add(snapshot(WIDGET_ID, price="0.125"))

    order = place(WIDGET_ID)

    assert order.line_rows[0].unit_price == Decimal("0.13")


def test_the_placed_event_names_each_line(catalog):
    place(WIDGET_ID)

    [payload] = outbox("orders.order.placed.v1")
    assert [line["name"] for line in payload["lines"]] == ["Widget"]


@pytest.mark.parametrize(
    ("user_id", "email"), [(CUSTOMER, ""), (None, "guest@example.com")]
)
def test_a_voucher_used_up_by_this_customer_is_refused_before_anything_else(
    catalog, settings, user_id, email
):
    Voucher.objects.create(
        code="ONCE", kind="fixed", value=Decimal("1"), usage_limit_per_customer=1
    )
    settings.ORDERS_MAX_UNPAID_UNITS_PER_PRODUCT = 1
    first = placement.order_place(
        user_id=user_id,
        items=[placement.RequestedLine(product_id=WIDGET_ID, quantity=1)],
        address=placement.ShippingAddress(**ADDRESS),
        checkout=placement.CheckoutDetails(email=email, voucher_code="ONCE"),
    )
    assert first.discount == Decimal("1.00")

    # Over the unpaid hold too: the voucher is judged first, by this customer.
    with pytest.raises(VoucherRefused) as refused:
        placement.order_place(
            user_id=user_id,
            items=[placement.RequestedLine(product_id=WIDGET_ID, quantity=1)],
            address=placement.ShippingAddress(**ADDRESS),
            checkout=placement.CheckoutDetails(email=email, voucher_code="ONCE"),
        )
    assert refused.value.code == "voucher_customer_limit"
