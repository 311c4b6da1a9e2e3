"""The fakes that answer for apps not hosted in tests of one app alone
(tests/fakes/) offer exactly their app's interface, with its signatures, and
answer through the codec with the interface's contract types."""

import importlib
import inspect
import uuid
from decimal import Decimal

import pytest

from apps.catalog.contracts import ProductSnapshot
from apps.catalog.interface import product_snapshots
from apps.common.errors import ContractMismatch
from apps.common.remote import registered
from tests import fakes

APPS = ["users", "catalog", "inventory", "orders"]


def interface_functions(app: str) -> dict[str, inspect.Signature]:
    module = importlib.import_module(f"apps.{app}.interface")
    return {
        name: inspect.signature(target.body)
        for name, _ in inspect.getmembers(module, inspect.isfunction)
        if (target := registered(app=app, name=name)) is not None
    }


@pytest.mark.parametrize("app", APPS)
def test_each_fake_offers_its_apps_interface_with_the_same_signatures(app):
    fake = fakes.FAKES[app]()
    interface = interface_functions(app)

    offered = {
        name: inspect.signature(getattr(fake, name))
        for name in interface
        if hasattr(fake, name)
    }

    assert interface  # every app has a public interface
    assert offered == interface


def test_a_call_reaches_the_fake_as_plain_data_and_answers_the_contract(
    fake_catalog,
):
    widget = fake_catalog.product_add(
        ProductSnapshot(
            id=uuid.uuid4(),
            sku="WID-1",
            name="Widget",
            unit_price=Decimal("19.99"),
            currency="EUR",
            is_active=True,
        )
    )

    answer = product_snapshots(product_ids=[str(widget.id), str(uuid.uuid4())])

    assert answer == {widget.id: widget}


def test_a_fake_answer_outside_the_contract_is_a_contract_mismatch(
    fake_catalog, monkeypatch
):
    monkeypatch.setattr(
        fake_catalog, "product_snapshots", lambda **kwargs: {"x": {"sku": "A"}}
    )

    with pytest.raises(ContractMismatch):
        product_snapshots(product_ids=[])
