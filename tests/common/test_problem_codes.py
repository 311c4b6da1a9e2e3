"""Every problem code an operation can answer is in its schema, derived from
the `raise` statements its code reaches."""

import pytest

from apps.common.errors import ApplicationError, Conflict, NotFound
from apps.common.problem_codes import raisable_errors


class Declined(ApplicationError):
    status_code = 402
    code = "declined"


class Busy(Conflict):
    code = "busy"


class Missing(NotFound):
    code = "missing"


def _charge(amount: int) -> None:
    if amount < 0:
        raise Declined("negative")
    _check_lock()


def _check_lock() -> None:
    raise Busy() from None


class PayView:
    def post(self, request):
        return self._pay(request)

    def _pay(self, request):
        perform = lambda: _charge(request)  # noqa: E731 - as run_idempotently gets it
        return perform()

    def get(self, request):
        raise Missing


def test_the_errors_of_nested_helpers_and_methods_are_found():
    errors = raisable_errors(PayView.post, owner=PayView, package="tests.")

    assert errors == {Declined, Busy}


def test_an_operation_without_domain_errors_has_none():
    assert raisable_errors(_check_lock, package="apps.") == set()


@pytest.fixture(scope="module")
def schema_paths():
    from rest_framework.test import APIClient

    return APIClient().get("/api/schema/", {"format": "json"}).json()["paths"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer",
    [
        "post /api/v1/orders/{order_id}/pay/ 402 payment_declined",
        "post /api/v1/orders/{order_id}/pay/ 503 payment_gateway_unavailable",
        "post /api/v1/orders/{order_id}/pay/ 409 reservation_expired",
        "post /api/v1/auth/token/refresh/ 401 token_not_valid",
        "post /api/v1/auth/token/ 429 login_throttled",
        "delete /api/v1/catalog/categories/{slug}/ 409 category_in_use",
        "post /api/v1/orders/{order_id}/ship/ 409 refund_in_progress",
        "post /api/v1/inventory/stock/{product_id}/adjustments/ 409 stock_below_reserved",
    ],
)
def test_the_schema_lists_the_problem_codes_an_operation_raises(schema_paths, answer):
    method, path, status, code = answer.split()
    response = schema_paths[path][method]["responses"][status]

    assert code in response["x-problem-codes"]
    assert response["content"]["application/problem+json"]
