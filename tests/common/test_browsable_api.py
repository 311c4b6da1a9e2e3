"""The browsable API: its pages name their resource, log in and out with a
session, and a 401 offers to log in; JSON clients still need a bearer token."""

import pytest

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html"}
ORDERS = "/api/v1/orders/"


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        email="browser@example.com", password="browser-pass-1"
    )


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/api/v1/catalog/products/", "Products"),
        ("/api/v1/catalog/categories/", "Categories"),
        ("/api/v1/auth/register/", "Register"),
    ],
)
def test_a_page_title_names_its_resource(client, url, title):
    html = client.get(url, **HTML).content.decode()

    assert f"<title>{title} – " in html


def test_a_401_page_offers_to_log_in(client):
    response = client.get(ORDERS, **HTML)

    assert response.status_code == 401
    assert f"href='/api-auth/login/?next={ORDERS}'>Log in" in response.content.decode()


def test_the_login_form_opens_a_session_for_the_pages(client, customer):
    response = client.post(
        "/api-auth/login/",
        {"username": customer.email, "password": "browser-pass-1", "next": ORDERS},
    )

    assert response.status_code == 302
    assert client.get(ORDERS, **HTML).status_code == 200
    assert "Log out" in client.get(ORDERS, **HTML).content.decode()


def test_a_session_does_not_authenticate_json_requests(client, customer):
    client.force_login(customer)

    assert client.get(ORDERS, HTTP_ACCEPT="application/json").status_code == 401
    assert client.get(ORDERS, **HTML).status_code == 200
