"""Demo stock for `manage.py seed_demo` (private).

Stock items are created by the ProductCreated handler (in-process in the
embedded default; by the inventory worker in services mode). Every item that
never received stock gets a demo receipt, through the service; running it
again changes nothing.
"""

from apps.inventory import selectors, services

DEMO_QUANTITY = 25
DEMO_REASON = "demo stock"


def seed(*, stdout) -> None:
    received = 0
    for product_id in selectors.stock_items_never_received():
        services.stock_adjust(
            product_id=product_id,
            delta=DEMO_QUANTITY,
            reason=DEMO_REASON,
            actor="system:seed_demo",
            kind=services.Kind.RECEIPT,
        )
        received += 1
    stdout.write(f"demo stock: {received} product(s) received {DEMO_QUANTITY} each")
    if not selectors.stock_item_count():
        stdout.write(
            "demo stock: no stock items yet - they are created from the catalog's"
            " ProductCreated events (in services mode by the inventory worker);"
            " run this again once they are delivered"
        )
