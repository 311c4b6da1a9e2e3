"""Catalog management through the gateway: one admin login (served by users)
holds in the catalog deployable's admin, whose edits reach the public API."""

import os
import re
import uuid
from urllib.parse import urlsplit

import pytest
import requests

pytestmark = pytest.mark.split


class AdminBrowser:
    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(f"{self.url}{path}", timeout=15, **kwargs)

    def post_form(self, path: str, data: dict, **kwargs) -> requests.Response:
        token = self.session.cookies["csrftoken"]
        return self.session.post(
            f"{self.url}{path}",
            data={"csrfmiddlewaretoken": token, **data},
            timeout=15,
            **kwargs,
        )


@pytest.fixture
def admin(gateway) -> AdminBrowser:
    """Logged in once, at the gateway's admin login page, from the catalog
    admin's redirect."""
    browser = AdminBrowser(gateway.url)
    login_page = browser.get("/admin/catalog/product/")
    assert urlsplit(login_page.url).path == "/admin/login/", login_page.url
    landed = browser.post_form(
        "/admin/login/",
        {
            "username": os.environ["SPLIT_STAFF_EMAIL"],
            "password": os.environ["SPLIT_STAFF_PASSWORD"],
            "next": "/admin/catalog/product/",
        },
    )
    assert landed.status_code == 200, landed.text[:500]
    assert urlsplit(landed.url).path == "/admin/catalog/product/"
    return browser


def test_staff_manage_the_catalog_in_its_deployables_admin(gateway, admin):
    suffix = uuid.uuid4().hex[:8]
    category = admin.post_form(
        "/admin/catalog/category/add/",
        {"name": f"Admin {suffix}", "slug": f"admin-{suffix}", "_continue": "1"},
        allow_redirects=False,
    )
    assert category.status_code == 302, category.text[:500]
    category_id = re.search(r"/category/(\d+)/change/", category.headers["Location"])[1]

    product = admin.post_form(
        "/admin/catalog/product/add/",
        {
            "sku": f"ADMIN-{suffix}",
            "name": f"Admin product {suffix}",
            "slug": f"admin-product-{suffix}",
            "category": category_id,
            "price": "19.90",
            "tax_class": "standard",
            "description": "Made in the split admin.",
            "is_active": "on",
            # A new product's form has the (empty) images inline.
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
            "_save": "1",
        },
        allow_redirects=False,
    )
    assert product.status_code == 302, product.text[:500]

    listed = gateway.call("GET", "/api/v1/catalog/products/", params={"search": suffix})
    assert listed.status_code == 200, listed.text
    assert [p["sku"] for p in listed.json()["results"]] == [f"ADMIN-{suffix}"]


def test_a_logout_at_the_gateway_ends_the_catalog_admin_session(admin):
    admin.post_form("/admin/logout/", {})

    after = admin.get("/admin/catalog/product/", allow_redirects=False)

    assert after.status_code == 302
    assert after.headers["Location"].startswith("/admin/login/")
