"""`manage.py seed_demo`, step by step, through each app's public interface:
accounts, catalog, stock, one order. Each step creates only what is missing
among the seed's own records (the demo e-mails, the DEMO- skus, the opening
stock receipt, the demo customer's first order) and hands the next step ids."""

import uuid
from collections.abc import Callable
from functools import partial

from django.conf import settings

from apps.catalog import interface as catalog
from apps.demo.data import (
    CATEGORIES,
    ORDER_ADDRESS,
    PRODUCTS,
    SKU_PREFIX,
    STOCK_QUANTITY,
    STOCK_REFERENCE,
)
from apps.inventory import interface as inventory
from apps.inventory.contracts import StockNotFound
from apps.orders import interface as orders
from apps.users import interface as users
from apps.users.contracts import UserNotFound, UserSummary

ACTOR = "system:seed_demo"
Say = Callable[[str], None]


def seed_demo(*, say: Say) -> None:
    # The logins are said last: `make run` prints the URLs right after them.
    logins: list[str] = []
    customer_id = seed_accounts(say=logins.append)
    product_ids = seed_catalog(say=say)
    seed_stock(product_ids=product_ids, say=say)
    seed_order(customer_id=customer_id, product_ids=product_ids, say=say)
    for line in logins:
        say(line)


def seed_accounts(*, say: Say) -> uuid.UUID:
    """The staff and the customer account; returns the customer's id."""
    _account(
        role="staff",
        email=settings.DEMO_STAFF_EMAIL,
        password=settings.DEMO_STAFF_PASSWORD,
        # The demo staff member sees every admin page a role opens.
        create=partial(users.staff_create, roles=tuple(users.staff_role_names())),
        say=say,
    )
    customer = _account(
        role="customer",
        email=settings.DEMO_CUSTOMER_EMAIL,
        password=settings.DEMO_CUSTOMER_PASSWORD,
        create=users.customer_register,
        say=say,
    )
    return customer.id


def _account(
    *, role: str, email: str, password: str, create: Callable, say: Say
) -> UserSummary:
    try:
        user = users.user_get_by_email(email=email)
    except UserNotFound:
        user = create(
            email=email, password=password, first_name="Demo", last_name=role.title()
        )
        say(f"demo {role}: {email} / {password}")
    else:
        say(f"demo {role}: {email} exists already (its password is left as it is)")
    return user


def seed_catalog(*, say: Say) -> list[uuid.UUID]:
    """The categories and products; returns the ids of the seed's products."""
    existing = {category.slug for category in catalog.category_list()}
    for slug, name, parent_slug in CATEGORIES:
        if slug not in existing:
            catalog.category_create(name=name, slug=slug, parent_slug=parent_slug)
    wanted = demo_products()
    found = catalog.product_snapshots_by_sku(skus=wanted)
    missing = [sku for sku in wanted if sku not in found]
    for sku in missing:
        name, price, category_slug = wanted[sku]
        found[sku] = catalog.product_create(
            sku=sku,
            name=name,
            price=price,
            description=f"{name}. A demo product of the {category_slug} range.",
            category_slug=category_slug,
        )
    say(
        f"demo catalog: {len(CATEGORIES)} categories, {len(wanted)} products"
        f" ({len(missing)} new)"
    )
    return [found[sku].id for sku in wanted]


def demo_products() -> dict[str, tuple[str, str, str]]:
    """sku -> (name, price, category slug), in the order of PRODUCTS."""
    return {
        f"{SKU_PREFIX}-{category_slug[:3].upper()}-{number:03d}": (
            name,
            price,
            category_slug,
        )
        for category_slug, products in PRODUCTS.items()
        for number, (name, price) in enumerate(products, start=1)
    }


def seed_stock(*, product_ids: list[uuid.UUID], say: Say) -> None:
    """One opening receipt per seed product."""
    received = waiting = 0
    for product_id in product_ids:
        try:
            received += inventory.stock_receive(
                product_id=product_id,
                quantity=STOCK_QUANTITY,
                reference=STOCK_REFERENCE,
                actor=ACTOR,
            )
        except StockNotFound:
            waiting += 1
    say(f"demo stock: {received} product(s) received {STOCK_QUANTITY} each")
    if waiting:
        say(
            f"demo stock: {waiting} product(s) have no stock item yet - the"
            " inventory creates them from the catalog's ProductCreated events (in"
            " services mode in its worker); run this again once they are delivered"
        )


def seed_order(
    *, customer_id: uuid.UUID, product_ids: list[uuid.UUID], say: Say
) -> None:
    """One of each of the first two seed products in stock, for the customer;
    placed like any order, so its events drive the saga."""
    if orders.order_list(user_id=customer_id):
        say("demo order: the demo customer has an order already")
        return
    stock = inventory.stock_availability(product_ids=product_ids)
    in_stock = [pid for pid in product_ids if pid in stock and stock[pid].available]
    if not in_stock:
        say("demo order: no seed product in stock yet; run this again later")
        return
    order = orders.order_place(
        user_id=customer_id,
        items=[{"product_id": str(pid), "quantity": 1} for pid in in_stock[:2]],
        address=ORDER_ADDRESS,
    )
    say(f"demo order: {order.id}, {order.total} {order.currency}, {order.status}")
