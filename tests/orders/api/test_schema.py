import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_documents_every_orders_operation(api_client):
    response = api_client.get("/api/schema/?format=json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/v1/orders/"]) == {"get", "post"}
    place = paths["/api/v1/orders/"]["post"]
    pay = paths["/api/v1/orders/{order_id}/pay/"]["post"]
    for operation in (place, pay):
        [header] = [p for p in operation["parameters"] if p["in"] == "header"]
        assert header["name"] == "Idempotency-Key"
        assert header["schema"] == {"type": "string", "maxLength": 255}
        assert {"409", "422"} <= set(operation["responses"])
    for action in ("cancel", "pay", "ship", "deliver"):
        assert "post" in paths[f"/api/v1/orders/{{order_id}}/{action}/"]
