"""A customer and a guest from an empty cart to a delivered order, with
shipping, tax and a voucher, through the HTTP APIs of every app; `settle`
delivers the events in-process or waits for the worker."""

CART = "/api/v1/cart/"
DE = {
    "name": "Ada Lovelace",
    "line1": "1 Main St",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def shop_rules(staff_client) -> str:
    """German VAT, a shipping method and a voucher, made by staff; returns the
    method's id."""
    for url, body in (
        (
            "/api/v1/orders/tax-rates/",
            {"country": "DE", "standard_rate": "19.00", "reduced_rate": "7.00"},
        ),
        (
            "/api/v1/orders/vouchers/",
            {
                "code": "WELCOME10",
                "kind": "percentage",
                "value": "10",
                "usage_limit": 5,
            },
        ),
    ):
        response = staff_client.post(url, body, format="json")
        assert response.status_code == 201, response.json()
    method = staff_client.post(
        "/api/v1/orders/shipping-methods/",
        {
            "name": "Standard",
            "countries": ["DE"],
            "currency": "EUR",
            "price": "6.90",
            "bands": [{"up_to": "50.00", "price": "4.90"}],
            "free_above": "100.00",
        },
        format="json",
    )
    assert method.status_code == 201, method.json()
    return method.json()["id"]


def fill_cart(client, product_id, method_id):
    """Two units at 40.00; the cart shows German tax and the method's price."""
    empty = client.get(CART)
    assert empty.status_code == 200 and empty.json()["blockers"] == ["cart_empty"]
    added = client.post(
        f"{CART}lines/", {"product_id": product_id, "quantity": 2}, format="json"
    )
    assert added.status_code == 200, added.json()
    cart = client.get(CART, {"country": "DE", "voucher": "WELCOME10"}).json()
    # 80.00 gross, 10 % off: 72.00 of goods, of which 19/119 is VAT.
    assert cart["totals"] == {
        "currency": "EUR",
        "subtotal": "80.00",
        "discount": "8.00",
        "shipping": "0.00",
        "tax": "11.50",
        "total": "72.00",
        "voucher_code": "WELCOME10",
        "voucher_refusal": None,
    }
    methods = client.get(f"{CART}shipping-methods/", {"country": "DE"}).json()
    assert methods == [
        {"id": method_id, "name": "Standard", "price": "6.90", "currency": "EUR"}
    ]


def check_out(client, method_id, **extra):
    response = client.post(
        f"{CART}checkout/",
        {
            "shipping_address": DE,
            "shipping_method": method_id,
            "voucher": "welcome10",
            **extra,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="checkout-1",
    )
    assert response.status_code == 201, response.json()
    order = response.json()
    # Shipping 6.90 (above the 50.00 band) with its VAT 1.10.
    assert (
        order["subtotal"],
        order["discount"],
        order["shipping_price"],
        order["tax"],
        order["total"],
    ) == ("80.00", "8.00", "6.90", "12.60", "78.90")
    assert [line["tax"] for line in order["lines"]] == ["11.50"]
    assert order["voucher_code"] == "WELCOME10"
    assert order["shipping_method"] == "Standard"
    assert order["shipping_address"] == order["billing_address"] == {**DE, "line2": ""}
    return order


def pay_ship_deliver(*, order_url, payer, staff_client, order_id, settle):
    assert settle(lambda: payer.get(order_url).json()["status"] == "confirmed")
    paid = payer.post(
        f"{order_url}pay/", {"payment_token": "tok_success"}, format="json"
    )
    assert paid.status_code == 200, paid.json()
    assert paid.json()["status"] == "paid"
    shipped = staff_client.post(
        f"/api/v1/orders/{order_id}/ship/",
        {"carrier": "DHL", "tracking_number": "E2E-1"},
        format="json",
    )
    assert shipped.status_code == 200, shipped.json()
    delivered = staff_client.post(f"/api/v1/orders/{order_id}/deliver/")
    assert delivered.json()["status"] == "delivered"
    settle(lambda: True)


def customer_journey(*, customer_client, staff_client, make_product, stock_of, settle):
    method_id = shop_rules(staff_client)
    product = make_product(stock=5, price="40.00")

    fill_cart(customer_client, product, method_id)
    order = check_out(customer_client, method_id)

    assert customer_client.get(CART).json()["blockers"] == ["cart_empty"]
    pay_ship_deliver(
        order_url=f"/api/v1/orders/{order['id']}/",
        payer=customer_client,
        staff_client=staff_client,
        order_id=order["id"],
        settle=settle,
    )
    assert stock_of(product) == (3, 0)
    [voucher] = staff_client.get("/api/v1/orders/vouchers/").json()["results"]
    assert voucher["uses"] == 1
    return order


def guest_journey(*, api_client, staff_client, make_product, stock_of, settle):
    method_id = shop_rules(staff_client)
    product = make_product(stock=5, price="40.00")
    created = api_client.post(CART)
    assert created.status_code == 201
    api_client.credentials(HTTP_CART_TOKEN=created.json()["token"])

    fill_cart(api_client, product, method_id)
    order = check_out(api_client, method_id, email="guest@example.com")

    assert order["user_id"] is None and order["email"] == "guest@example.com"
    api_client.credentials()  # the link alone opens the order
    pay_ship_deliver(
        order_url=order["guest_url"],
        payer=api_client,
        staff_client=staff_client,
        order_id=order["id"],
        settle=settle,
    )
    assert stock_of(product) == (3, 0)
    return order
