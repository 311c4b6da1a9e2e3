"""Checking out a cart: customer and guest, shipping, the order's stored
copies, idempotency, and bad input that changes nothing."""

import uuid

import pytest

from apps.orders.models import Cart, CartLine, Order
from tests.orders.cart_helpers import (
    CART,
    CHECKOUT,
    add,
    checkout_body,
    guest_cart,
    method,
)
from tests.orders.helpers import ADDRESS, GADGET_ID, WIDGET_ID, inventory_says, reserved

pytestmark = pytest.mark.django_db
BILLING = {
    "name": "Ada Accounts",
    "line1": "1 Ledger Row",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


@pytest.fixture
def standard(db):
    return method()


def lines_left():
    return list(CartLine.objects.values_list("product_id", "quantity"))


def test_a_customer_checks_out_their_cart(customer_client, customer, catalog, standard):
    add(customer_client, WIDGET_ID, 2)

    response = customer_client.post(
        CHECKOUT,
        checkout_body(standard.id, billing_address=BILLING),
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Location"] == f"/api/v1/orders/{data['id']}/"
    assert data["user_id"] == str(customer.id)
    assert data["guest_url"] is None
    assert (data["subtotal"], data["shipping_price"], data["total"]) == (
        "39.98",
        "4.90",  # the band up to 50.00
        "44.88",
    )
    assert data["shipping_method"] == "Standard"
    assert data["shipping_address"] == {**ADDRESS, "line2": ""}
    assert data["billing_address"] == {**BILLING, "line2": ""}
    assert [(line["sku"], line["quantity"]) for line in data["lines"]] == [("WID-1", 2)]
    assert lines_left() == []  # emptied with the order
    assert customer_client.get(CART).json()["blockers"] == ["cart_empty"]


def test_shipping_is_free_above_the_threshold(customer_client, catalog, standard):
    add(customer_client, WIDGET_ID, 6)  # 119.94

    data = customer_client.post(
        CHECKOUT, checkout_body(standard.id), format="json"
    ).json()

    assert (data["shipping_price"], data["total"]) == ("0.00", "119.94")


def test_the_flat_price_applies_above_the_last_band(customer_client, catalog, standard):
    add(customer_client, WIDGET_ID, 3)  # 59.97

    data = customer_client.post(
        CHECKOUT, checkout_body(standard.id), format="json"
    ).json()

    assert (data["shipping_price"], data["total"]) == ("6.90", "66.87")


def test_a_guest_checks_out_with_an_email_and_sees_the_order_by_its_link(
    api_client, catalog, standard, customer_client, deliver_events
):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 2)

    response = api_client.post(
        CHECKOUT,
        checkout_body(standard.id, email="guest@example.com"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    order = Order.objects.get(pk=data["id"])
    assert order.user_id is None and order.email == "guest@example.com"
    assert response["Location"] == data["guest_url"]
    seen = api_client.get(data["guest_url"])
    assert seen.status_code == 200 and seen.json()["id"] == data["id"]
    wrong = data["guest_url"].replace(data["guest_url"][-9:-1], "0" * 8)
    assert api_client.get(wrong).status_code == 404
    assert customer_client.get(f"/api/v1/orders/{order.id}/").status_code == 404
    assert customer_client.get("/api/v1/orders/").json()["count"] == 0

    inventory_says(reserved(order.id))
    deliver_events()
    paid = api_client.post(
        f"{data['guest_url']}pay/", {"payment_token": "tok_success"}, format="json"
    )
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "paid"


def test_a_guest_without_an_email_is_400_and_nothing_changes(
    api_client, catalog, standard
):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 2)

    response = api_client.post(CHECKOUT, checkout_body(standard.id), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["email"]
    assert Order.objects.count() == 0 and lines_left() == [(WIDGET_ID, 2)]


def test_a_guest_cancels_through_the_link(api_client, catalog, standard):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 1)
    url = api_client.post(
        CHECKOUT, checkout_body(standard.id, email="g@example.com"), format="json"
    ).json()["guest_url"]

    response = api_client.post(f"{url}cancel/")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda body, m: body["shipping_address"].update(country="US"),
            "shipping_method",
        ),
        (
            lambda body, m: body.update(shipping_method=str(uuid.uuid4())),
            "shipping_method",
        ),
        (lambda body, m: body.update(shipping_method="nope"), "shipping_method"),
        (
            lambda body, m: body["shipping_address"].update(country="XX"),
            "shipping_address",
        ),
        (lambda body, m: body.update(voucher="NOPE"), "voucher"),
    ],
)
def test_bad_checkouts_are_400_naming_the_field_and_change_nothing(
    customer_client, catalog, standard, change, field
):
    add(customer_client, WIDGET_ID, 2)
    body = checkout_body(standard.id)
    change(body, standard)

    response = customer_client.post(CHECKOUT, body, format="json")

    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == [field]
    assert Order.objects.count() == 0 and lines_left() == [(WIDGET_ID, 2)]


def test_an_inactive_method_is_refused(customer_client, catalog, standard):
    add(customer_client, WIDGET_ID, 1)
    standard.active = False
    standard.save()

    response = customer_client.post(CHECKOUT, checkout_body(standard.id), format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["shipping_method"]


def test_an_empty_cart_is_400_on_cart(customer_client, catalog, standard):
    response = customer_client.post(CHECKOUT, checkout_body(standard.id), format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"cart": ["The cart is empty."]}
    assert Order.objects.count() == 0


def test_a_flagged_line_blocks_the_checkout(customer_client, catalog, standard):
    from dataclasses import replace

    add(customer_client, WIDGET_ID, 1)
    add(customer_client, GADGET_ID, 1)
    catalog[GADGET_ID] = replace(catalog[GADGET_ID], is_active=False)

    response = customer_client.post(CHECKOUT, checkout_body(standard.id), format="json")

    assert response.status_code == 400
    [message] = response.json()["errors"]["cart"]
    assert str(GADGET_ID) in message and "product_inactive" in message
    assert Order.objects.count() == 0 and len(lines_left()) == 2


def test_a_cart_changed_while_checking_out_is_409_and_no_order(
    customer_client, customer, catalog, fake_catalog, standard, monkeypatch
):
    add(customer_client, WIDGET_ID, 2)
    cart = Cart.objects.get()
    real = fake_catalog.product_snapshots

    def another_tab_adds_a_gadget(**kwargs):
        CartLine.objects.get_or_create(
            cart=cart, product_id=GADGET_ID, defaults={"quantity": 1}
        )
        return real(**kwargs)

    monkeypatch.setattr(fake_catalog, "product_snapshots", another_tab_adds_a_gadget)

    response = customer_client.post(CHECKOUT, checkout_body(standard.id), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "cart_changed"
    assert response.json()["detail"] == (
        "The cart changed while checking out; review it and retry."
    )
    assert Order.objects.count() == 0
    assert sorted(lines_left()) == sorted([(WIDGET_ID, 2), (GADGET_ID, 1)])


def test_the_same_idempotency_key_replays_the_one_order(
    customer_client, catalog, standard
):
    add(customer_client, WIDGET_ID, 2)
    body = checkout_body(standard.id)

    first = customer_client.post(
        CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    again = customer_client.post(
        CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    other = customer_client.post(
        CHECKOUT, {**body, "voucher": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 422
    assert Order.objects.count() == 1


def test_a_guests_idempotency_keys_belong_to_the_cart(api_client, catalog, standard):
    guest_cart(api_client)
    add(api_client, WIDGET_ID, 1)
    body = checkout_body(standard.id, email="g@example.com")

    first = api_client.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    again = api_client.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert again.json()["id"] == first.json()["id"]
    assert again.json()["guest_url"] == first.json()["guest_url"]
    assert Order.objects.count() == 1
    cart = Cart.objects.get()
    from apps.orders.models import IdempotencyRecord

    assert IdempotencyRecord.objects.get().user_id == cart.id


def test_the_cart_lists_the_methods_for_a_country(customer_client, catalog, standard):
    method(name="Express", price="12.00", bands=[], free_above=None, countries=["DE"])
    method(name="Off", countries=["DE"], active=False)
    method(name="Dollars", countries=["DE"], currency="USD")
    add(customer_client, WIDGET_ID, 2)

    germany = customer_client.get("/api/v1/cart/shipping-methods/?country=de")
    france = customer_client.get("/api/v1/cart/shipping-methods/?country=FR")
    bad = customer_client.get("/api/v1/cart/shipping-methods/?country=XX")

    assert [(m["name"], m["price"]) for m in germany.json()] == [
        ("Standard", "4.90"),
        ("Express", "12.00"),
    ]
    assert france.json() == []
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["country"]
