"""Every invalid paging parameter is a 400 problem naming it, on every listing."""

import pytest

pytestmark = pytest.mark.django_db
LISTINGS = ["/api/v1/catalog/products/", "/api/v1/catalog/categories/"]


@pytest.mark.parametrize("url", LISTINGS)
@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page_size", "abc"),
        ("page_size", "0"),
        ("page_size", "-1"),
        ("page_size", "1.5"),
        ("page", "abc"),
        ("page", "last"),
        ("page", ""),
        ("page_size", ""),
        ("page", "0"),
        ("page", "-2"),
        ("page", "\u00b2"),
        ("page", "9" * 5000),
    ],
)
def test_an_invalid_paging_parameter_is_a_400_naming_it(
    api_client, url, parameter, value
):
    response = api_client.get(url, {parameter: value})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [parameter]


@pytest.mark.parametrize("url", LISTINGS)
def test_valid_paging_parameters_are_accepted(api_client, url):
    assert api_client.get(url, {"page_size": "5", "page": "1"}).status_code == 200
