"""`manage.py seed_demo`: the README's try-it works afterwards, a second run
changes nothing, it touches only its own records and refuses production."""

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.catalog import interface as catalog
from apps.demo.seed import demo_products, seed_stock
from apps.inventory import interface as inventory
from apps.orders import interface as orders
from apps.users import interface as users
from apps.users.contracts import UserNotFound

pytestmark = pytest.mark.django_db(transaction=True)  # events run after commit

CUSTOMER = {"email": "customer@example.com", "password": "customer-demo-pass-1"}


def seed(*args: str) -> list[str]:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue().splitlines()


def demo_state() -> tuple:
    """Everything the seed creates, as the apps' interfaces show it."""
    customer = users.user_get_by_email(email=CUSTOMER["email"])
    products = catalog.product_snapshots_by_sku(skus=demo_products())
    ids = [snapshot.id for snapshot in products.values()]
    return (
        users.user_get_by_email(email="staff@example.com"),
        customer,
        catalog.category_list(),
        products,
        inventory.stock_availability(product_ids=ids),
        orders.order_list(user_id=customer.id),
    )


def test_after_seeding_the_readme_try_it_works(api_client):
    seed()

    token = api_client.post("/api/v1/auth/token/", CUSTOMER, format="json")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access']}")
    products = api_client.get("/api/v1/catalog/products/?page_size=100").json()
    my_orders = api_client.get("/api/v1/orders/").json()

    assert token.status_code == 200
    assert len(products["results"]) == 50
    [order] = my_orders["results"]
    assert order["status"] == "confirmed"
    assert [line["sku"] for line in order["lines"]] == ["DEMO-ELE-001", "DEMO-ELE-002"]


@pytest.mark.parametrize(
    "page",
    [
        "/admin/catalog/product/",
        "/admin/orders/order/",
        "/admin/inventory/stockitem/",
        "/admin/users/user/",
    ],
)
def test_the_demo_staff_member_opens_every_admin_page_of_the_apps(client, page):
    seed()
    client.login(email="staff@example.com", password="staff-demo-pass-1")

    assert client.get(page).status_code == 200


def test_the_first_run_creates_everything_and_says_so():
    lines = seed()

    staff, customer, categories, products, stock, [order] = demo_state()
    assert (staff.is_staff, customer.is_staff) == (True, False)
    assert [c.slug for c in categories if c.parent_slug] == ["audio"]
    assert len(categories) == 5
    assert len(products) == 50
    on_hand = sorted({level.on_hand for level in stock.values()})
    assert (len(stock), on_hand) == (50, [25])
    assert (order.status, len(order.lines)) == ("confirmed", 2)
    assert lines == [
        "demo catalog: 5 categories, 50 products (50 new)",
        "demo stock: 50 product(s) received 25 each",
        f"demo order: {order.id}, {order.total} EUR, confirmed",
        "demo staff: staff@example.com / staff-demo-pass-1",
        "demo customer: customer@example.com / customer-demo-pass-1",
    ]


def test_a_second_run_changes_nothing():
    seed()
    before = demo_state()

    lines = seed()

    assert demo_state() == before
    assert lines == [
        "demo catalog: 5 categories, 50 products (0 new)",
        "demo stock: 0 product(s) received 25 each",
        "demo order: the demo customer has an order already",
        "demo staff: staff@example.com exists already (its password is left as it is)",
        "demo customer: customer@example.com exists already"
        " (its password is left as it is)",
    ]


def test_it_leaves_stock_of_products_it_did_not_create_alone():
    theirs = catalog.product_create(sku="SHOP-1", name="Their lamp", price="12.00")

    seed()

    [level] = inventory.stock_availability(product_ids=[theirs.id]).values()
    assert (level.on_hand, level.reserved) == (0, 0)


def test_a_product_whose_stock_item_is_not_there_yet_is_left_for_the_next_run():
    out = []

    seed_stock(product_ids=[uuid.uuid4()], say=out.append)

    assert out[0] == "demo stock: 0 product(s) received 25 each"
    assert out[1].startswith("demo stock: 1 product(s) have no stock item yet")


def test_the_accounts_come_from_the_settings(settings):
    settings.DEMO_CUSTOMER_EMAIL = "ada@example.com"
    settings.DEMO_CUSTOMER_PASSWORD = "another-demo-pass-2"

    lines = seed()

    assert "demo customer: ada@example.com / another-demo-pass-2" in lines
    assert users.user_get_by_email(email="ada@example.com").is_staff is False
    with pytest.raises(UserNotFound):
        users.user_get_by_email(email=CUSTOMER["email"])


def test_a_weak_password_is_a_command_error_not_a_traceback(settings):
    settings.DEMO_STAFF_PASSWORD = "123"

    with pytest.raises(CommandError, match="password"):
        seed()

    with pytest.raises(UserNotFound):
        users.user_get_by_email(email="staff@example.com")


def test_production_settings_are_refused_unless_allowed(settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(CommandError, match="--allow-production"):
        seed()
    refused_categories = catalog.category_list()
    lines = seed("--allow-production")

    assert refused_categories == []
    assert lines[-2] == "demo staff: staff@example.com / staff-demo-pass-1"
