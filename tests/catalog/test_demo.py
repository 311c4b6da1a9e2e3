import io

import pytest

from apps.catalog import demo
from apps.catalog.models import Category, Product
from tests.catalog.conftest import catalog_events

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_goes_through_the_services():
    demo.seed(stdout=io.StringIO())
    out = io.StringIO()
    demo.seed(stdout=out)

    assert Category.objects.count() == 5
    assert Category.objects.get(slug="audio").parent.slug == "electronics"
    assert Product.objects.count() == 50
    assert Product.objects.filter(category__slug="audio").count() == 10
    assert len(catalog_events("catalog.product.created.v1")) == 50
    assert out.getvalue() == "demo catalog: 5 categories, 50 products (0 new)"
