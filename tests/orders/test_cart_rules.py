"""The cart's own rules, at the service: the most lines and the most of one
product at exactly the limit, one currency per cart, stock at exactly the
quantity, and every change keeping the cart from expiring (survivors of the
cart's full mutation run)."""

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.catalog.contracts import ProductSnapshot
from apps.common.errors import ValidationFailed
from apps.orders.models import Cart, CartLine, TaxRate, Voucher
from apps.orders.services import cart as carts
from apps.orders.services.placement import MAX_LINES
from tests.orders.helpers import CUSTOMER, GADGET_ID, RETIRED_ID, WIDGET_ID, redeem

pytestmark = pytest.mark.django_db
DOLLAR_ID = uuid.UUID("00000000-0000-4000-8000-000000000004")
TTL_HOURS = 2


def product(product_id, *, currency="EUR"):
    return ProductSnapshot(
        id=product_id,
        sku=f"SKU-{product_id.int}",
        name="Thing",
        unit_price=Decimal("1.00"),
        currency=currency,
        is_active=True,
    )


def lines_of(cart):
    return list(cart.lines.values_list("product_id", "quantity"))


def refusal(error: ValidationFailed) -> dict:
    return error.extra["errors"]


@pytest.fixture
def products(fake_catalog):
    """MAX_LINES + 1 products in euros, one in dollars."""
    ids = [uuid.UUID(int=n) for n in range(1, MAX_LINES + 2)]
    for pid in ids:
        fake_catalog.product_add(product(pid))
    fake_catalog.product_add(product(DOLLAR_ID, currency="USD"))
    return ids


@pytest.fixture
def guest():
    cart, _ = carts.cart_create_guest()
    return cart


def test_a_cart_takes_lines_up_to_exactly_the_most(products, guest):
    CartLine.objects.bulk_create(
        CartLine(cart=guest, product_id=pid, quantity=1)
        for pid in products[: MAX_LINES - 1]
    )

    carts.cart_line_add(cart=guest, product_id=products[MAX_LINES - 1], quantity=1)
    with pytest.raises(ValidationFailed) as refused:
        carts.cart_line_add(cart=guest, product_id=products[MAX_LINES], quantity=1)

    assert list(refusal(refused.value)) == ["product_id"]
    assert guest.lines.count() == MAX_LINES
    assert not guest.lines.filter(product_id=products[MAX_LINES]).exists()


def test_a_line_takes_exactly_the_most_of_one_product(products, guest):
    carts.cart_line_add(cart=guest, product_id=products[0], quantity=999)

    carts.cart_line_add(cart=guest, product_id=products[0], quantity=1)

    assert lines_of(guest) == [(products[0], 1000)]


def test_a_product_in_another_currency_is_refused(products, guest):
    carts.cart_line_add(cart=guest, product_id=products[0], quantity=1)

    with pytest.raises(ValidationFailed) as refused:
        carts.cart_line_add(cart=guest, product_id=DOLLAR_ID, quantity=1)

    assert refusal(refused.value) == {
        "product_id": ["The cart holds products priced in EUR."]
    }
    assert lines_of(guest) == [(products[0], 1)]


def test_a_product_whose_currency_changed_is_judged_by_the_other_lines(
    fake_catalog, products, guest
):
    carts.cart_line_add(cart=guest, product_id=products[0], quantity=1)
    carts.cart_line_add(cart=guest, product_id=products[1], quantity=1)
    fake_catalog.product_add(product(products[0], currency="USD"))

    with pytest.raises(ValidationFailed) as refused:
        carts.cart_line_add(cart=guest, product_id=products[0], quantity=1)

    assert refusal(refused.value) == {
        "product_id": ["The cart holds products priced in EUR."]
    }
    assert lines_of(guest) == [(products[0], 1), (products[1], 1)]


def test_the_currency_is_that_of_a_line_the_catalog_still_knows(products, guest):
    CartLine.objects.create(cart=guest, product_id=uuid.uuid4(), quantity=1)
    carts.cart_line_add(cart=guest, product_id=products[0], quantity=1)

    with pytest.raises(ValidationFailed) as refused:
        carts.cart_line_add(cart=guest, product_id=DOLLAR_ID, quantity=1)

    assert refusal(refused.value) == {
        "product_id": ["The cart holds products priced in EUR."]
    }
    assert guest.lines.count() == 2


def test_an_inactive_product_is_refused_by_name(catalog, guest):
    with pytest.raises(ValidationFailed) as refused:
        carts.cart_line_add(cart=guest, product_id=RETIRED_ID, quantity=1)

    assert refusal(refused.value) == {
        "product_id": [f"Product {RETIRED_ID} is not available."]
    }
    assert guest.lines.count() == 0


def counted(fake, name, monkeypatch) -> list:
    """The calls of `fake.<name>`, each as its product ids."""
    calls = []
    real = getattr(fake, name)

    def counting(**kwargs):
        calls.append(list(kwargs["product_ids"]))
        return real(**kwargs)

    monkeypatch.setattr(fake, name, counting)
    return calls


def test_an_empty_cart_is_read_without_asking_catalog_or_inventory(
    fake_catalog, fake_inventory, monkeypatch, guest
):
    catalog_asked = counted(fake_catalog, "product_snapshots", monkeypatch)
    inventory_asked = counted(fake_inventory, "stock_availability", monkeypatch)

    view = carts.cart_view(cart=guest)

    assert catalog_asked == inventory_asked == []
    assert view.blockers == ("cart_empty",)


def test_the_first_line_asks_the_catalog_once(
    catalog, fake_catalog, monkeypatch, guest
):
    asked = counted(fake_catalog, "product_snapshots", monkeypatch)

    carts.cart_line_add(cart=guest, product_id=WIDGET_ID, quantity=1)

    assert asked == [[WIDGET_ID]]


def test_a_line_shows_its_products_name_and_tax_at_its_rate(catalog, guest):
    TaxRate.objects.create(country="DE", standard_rate=Decimal("19"), reduced_rate=7)
    catalog[GADGET_ID] = replace(catalog[GADGET_ID], tax_class="reduced")
    carts.cart_line_add(cart=guest, product_id=WIDGET_ID, quantity=1)
    carts.cart_line_add(cart=guest, product_id=GADGET_ID, quantity=2)
    CartLine.objects.create(cart=guest, product_id=DOLLAR_ID, quantity=1)
    guest.refresh_from_db()

    view = carts.cart_view(cart=guest, country="DE")

    assert (view.id, view.updated_at) == (guest.id, guest.updated_at)
    # 19.99 gross at 19 %: 3.19; 11.00 gross at 7 %: 0.72; unknown: no price.
    assert [(line.sku, line.name, line.tax) for line in view.lines] == [
        ("WID-1", "Widget", Decimal("3.19")),
        ("GAD-1", "Gadget", Decimal("0.72")),
        ("", "", None),
    ]


def test_the_cart_judges_a_voucher_for_its_customer(catalog):
    Voucher.objects.create(
        code="ONCE",
        kind="percentage",
        target="order",
        value=10,
        usage_limit_per_customer=1,
    )
    redeem("ONCE", customer_id=CUSTOMER)
    cart = carts.cart_of_customer(user_id=CUSTOMER)
    carts.cart_line_add(cart=cart, product_id=WIDGET_ID, quantity=1)

    totals = carts.cart_view(cart=cart, voucher_code="ONCE").totals

    assert totals.voucher_refusal == "voucher_customer_limit"
    assert totals.discount == Decimal("0.00")


def test_a_guests_token_is_32_random_bytes():
    _, token = carts.cart_create_guest()
    _, other = carts.cart_create_guest()

    assert len(token) == len(other) == 43  # base64 of 32 bytes, unpadded
    assert token != other


def test_a_line_is_in_stock_at_exactly_the_available_quantity(
    catalog, fake_inventory, guest
):
    fake_inventory.stock_set(product_id=WIDGET_ID, on_hand=7, reserved=2)
    fake_inventory.stock_set(product_id=GADGET_ID, on_hand=5)
    carts.cart_line_add(cart=guest, product_id=WIDGET_ID, quantity=5)
    carts.cart_line_add(cart=guest, product_id=GADGET_ID, quantity=6)

    view = carts.cart_view(cart=guest)

    assert [(line.product_id, line.in_stock) for line in view.lines] == [
        (WIDGET_ID, True),
        (GADGET_ID, False),
    ]


def age(cart, hours=TTL_HOURS + 1):
    Cart.objects.filter(pk=cart.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=hours)
    )


@pytest.mark.parametrize(
    "change",
    [
        lambda cart: carts.cart_line_add(cart=cart, product_id=GADGET_ID, quantity=1),
        lambda cart: carts.cart_line_set(cart=cart, product_id=WIDGET_ID, quantity=3),
        lambda cart: carts.cart_line_remove(cart=cart, product_id=WIDGET_ID),
    ],
    ids=["add", "set", "remove"],
)
def test_every_change_keeps_the_cart_from_expiring(catalog, settings, guest, change):
    settings.CART_TTL_HOURS = TTL_HOURS
    carts.cart_line_add(cart=guest, product_id=WIDGET_ID, quantity=1)
    age(guest)

    change(guest)

    assert carts.carts_expire() == 0
    assert Cart.objects.filter(pk=guest.pk).exists()


def test_a_merge_keeps_the_customers_cart_from_expiring(catalog, settings):
    settings.CART_TTL_HOURS = TTL_HOURS
    customer_cart = carts.cart_of_customer(user_id=CUSTOMER)
    age(customer_cart)
    guest, token = carts.cart_create_guest()
    carts.cart_line_add(cart=guest, product_id=WIDGET_ID, quantity=2)

    merged = carts.cart_merge(user_id=CUSTOMER, token=token)

    assert merged.pk == customer_cart.pk
    assert carts.carts_expire() == 0
    assert list(Cart.objects.values_list("pk", flat=True)) == [customer_cart.pk]
    assert lines_of(merged) == [(WIDGET_ID, 2)]


def test_a_merge_takes_lines_beyond_the_most(products):
    customer_cart = carts.cart_of_customer(user_id=CUSTOMER)
    CartLine.objects.bulk_create(
        CartLine(cart=customer_cart, product_id=pid, quantity=1)
        for pid in products[:MAX_LINES]
    )
    guest, token = carts.cart_create_guest()
    CartLine.objects.create(cart=guest, product_id=products[MAX_LINES], quantity=2)

    carts.cart_merge(user_id=CUSTOMER, token=token)

    # Nothing the guest chose is lost; the checkout refuses the extra line.
    assert customer_cart.lines.count() == MAX_LINES + 1
    assert customer_cart.lines.get(product_id=products[MAX_LINES]).quantity == 2


def test_an_unknown_token_merges_nothing(catalog):
    customer_cart = carts.cart_of_customer(user_id=CUSTOMER)
    carts.cart_line_add(cart=customer_cart, product_id=WIDGET_ID, quantity=1)
    guest, _ = carts.cart_create_guest()

    merged = carts.cart_merge(user_id=CUSTOMER, token="not-a-token")

    assert merged.pk == customer_cart.pk
    assert lines_of(merged) == [(WIDGET_ID, 1)]
    assert Cart.objects.count() == 2


def test_no_cart_to_expire_is_none_expired(guest):
    assert carts.carts_expire() == 0


def test_a_cart_without_priced_lines_totals_in_the_default_currency(
    catalog, settings, guest
):
    settings.DEFAULT_CURRENCY = "GBP"
    CartLine.objects.create(cart=guest, product_id=uuid.uuid4(), quantity=1)

    view = carts.cart_view(cart=guest)

    assert view.totals.currency == "GBP"
    assert view.blockers == ("product_unknown",)


def test_a_priced_line_totals_in_its_products_currency(catalog, guest):
    catalog[WIDGET_ID] = replace(catalog[WIDGET_ID], currency="GBP")
    carts.cart_line_add(cart=guest, product_id=WIDGET_ID, quantity=1)

    assert carts.cart_view(cart=guest).totals.currency == "GBP"
