"""The plan tracker in real Chromium with JavaScript off: chart drawn, table and items readable.

The page is rendered by the test client and loaded with `set_content`, so no live server (and
no second database connection) is involved; the stylesheet is not needed for any of this.
"""

import contextlib
import os

import pytest
from django.urls import reverse

from disclosure.models import DisclosureRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@contextlib.contextmanager
def page_without_javascript(html: str):
    """Chromium with JavaScript off, showing `html`.

    Playwright's sync API runs an event loop in this thread, and Django then hands out a
    different database connection; so render everything first and query nothing inside.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        page = browser.new_context(java_script_enabled=False).new_page()
        page.set_content(html)
        yield page
        browser.close()


def test_plan_page_draws_the_chart_and_opens_item_text_without_javascript(client, seed_data):
    record = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    html = client.get(reverse("portal:plan", kwargs={"pk": record.pk})).content.decode()
    with page_without_javascript(html) as page:
        check_plan_page(page)


def check_plan_page(page) -> None:
    chart = page.locator("svg.plan-chart")
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 50
    assert chart.get_attribute("role") == "img"
    assert chart.locator("rect > title").count() == 4  # 已完成, 计划中, both in the total row
    table = page.locator("table.plan-status-table")
    assert table.is_visible() and "100%" in table.inner_text()
    item = page.locator("article.plan-item").nth(9)
    assert "推动高教职教重点突破" in item.inner_text()
    assert not item.locator("details p").is_visible()
    item.locator("summary").click()
    assert "鲁汶学院" in item.locator("details p").inner_text()
