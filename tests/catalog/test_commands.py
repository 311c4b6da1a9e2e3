import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from apps.catalog.models import Product
from tests.catalog.conftest import catalog_events

pytestmark = pytest.mark.django_db


def test_update_product_reprices_and_deactivates_through_the_service(make_product):
    product = make_product(sku="CMD-1", price="5.00")
    out = io.StringIO()

    call_command(
        "update_product", "cmd-1", "--price", "7.25", "--deactivate", stdout=out
    )

    product.refresh_from_db()
    assert (product.price, product.is_active) == (Decimal("7.25"), False)
    assert out.getvalue() == "CMD-1: 7.25 EUR, inactive\n"
    assert [e["event_type"] for e in catalog_events()] == [
        "catalog.product.created.v1",
        "catalog.product.price_changed.v1",
        "catalog.product.deactivated.v1",
    ]


def test_update_product_refuses_a_bad_price_and_changes_nothing(make_product):
    product = make_product(sku="CMD-2", price="5.00")

    with pytest.raises(CommandError, match="Ensure the price is not negative"):
        call_command("update_product", "CMD-2", "--price", "-1")
    with pytest.raises(CommandError, match="no product with SKU 'NOPE'"):
        call_command("update_product", "NOPE", "--price", "1")

    assert Product.objects.get(pk=product.pk).price == Decimal("5.00")
    assert len(catalog_events()) == 1
