"""A staff member's day in the real admin, in headless Chromium (Debian's
`chromium`, driven by Playwright without a browser download)."""

import json
import os
import shutil
import urllib.request

import pytest

from apps.catalog.models import Product
from tests.catalog.images import image_bytes, stored_files
from tests.conftest import admin_account

PASSWORD = "correct-horse-battery-9"


def chromium_path() -> str:
    """The browser; without one the test is skipped, unless REQUIRE_BROWSER=1
    (set by .ci/run) makes that a failure."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if path:
        return path
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail("REQUIRE_BROWSER=1 but chromium is not installed")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes around it are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=["--no-sandbox"]
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            browser.close()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_apps("users", reason="the admin's login form is the users app's")
def test_staff_creates_reprices_and_illustrates_a_product_seen_by_the_api(
    live_server, browser_page, media
):
    admin_account(email="admin@example.com", is_superuser=False)
    page = browser_page
    admin = f"{live_server.url}/admin"

    page.goto(f"{admin}/login/")
    page.fill("#id_username", "admin@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{admin}/")

    page.goto(f"{admin}/catalog/category/add/")
    page.locator("#id_name").press_sequentially("Garden Tools")  # as typed
    assert page.input_value("#id_slug") == "garden-tools"  # prepopulated
    page.click("input[name=_save]")
    page.wait_for_url(f"{admin}/catalog/category/")

    page.goto(f"{admin}/catalog/product/add/")
    page.fill("#id_sku", "GT-001")
    page.locator("#id_name").press_sequentially("Pruning Shears")
    page.select_option("#id_category", label="Garden Tools")
    page.fill("#id_price", "24.50")
    page.click("input[name=_save]")
    page.wait_for_url(f"{admin}/catalog/product/")
    product = Product.objects.get(sku="GT-001")

    page.fill("input[name=form-0-price]", "19.90")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist li.success")

    with urllib.request.urlopen(
        f"{live_server.url}/api/v1/catalog/products/{product.pk}/", timeout=10
    ) as response:
        body = json.load(response)
    assert (body["sku"], body["name"], body["price"], body["category"]) == (
        "GT-001",
        "Pruning Shears",
        "19.90",
        "garden-tools",
    )
    assert body["slug"] == "pruning-shears"

    page.goto(f"{admin}/catalog/product/{product.pk}/change/")
    page.set_input_files(
        "input[name=images-0-image]",
        files=[
            {
                "name": "shears.png",
                "mimeType": "image/png",
                "buffer": image_bytes("PNG"),
            }
        ],
    )
    page.fill("input[name=images-0-alt_text]", "Shears, open")
    page.click("input[name=_save]")
    page.wait_for_url(f"{admin}/catalog/product/")

    with urllib.request.urlopen(
        f"{live_server.url}/api/v1/catalog/products/{product.pk}/", timeout=10
    ) as response:
        images = json.load(response)["images"]
    assert [(i["alt_text"], i["width"], i["height"]) for i in images] == [
        ("Shears, open", 800, 600)
    ]
    assert images[0]["url"].startswith(f"{live_server.url}/media/products/")
    assert len(stored_files(media)) == 3
