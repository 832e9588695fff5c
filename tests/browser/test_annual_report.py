"""The annual report and the 指南 in real Chromium: axe-core in both scripts and at the largest
font size, and table three (ten columns) scrolling inside its own keyboard-reachable region at
320 px instead of the page."""

import pytest

from tests.browser.test_public_site import blocking_violations, open_page, tab_to

pytestmark = [pytest.mark.browser]


@pytest.fixture
def report_and_guide(transactional_db):
    from django.core.management import call_command

    from tests.portal.test_guide import make_guide
    from tests.reports.helpers import published_report

    call_command("loaddata", "vocabulary", verbosity=0)
    make_guide()
    return published_report()


@pytest.mark.parametrize("size", ["default", "xlarge"])
@pytest.mark.parametrize("script", ["", "/zh-hant"])
def test_report_and_guide_have_no_serious_accessibility_violation(
    browser, live_server, report_and_guide, script, size
):
    for path in (report_and_guide.get_absolute_url(), "/guide/"):
        page = open_page(browser, live_server, script + path, size=size)
        try:
            assert blocking_violations(page) == []
            assert page.locator("main h1").count() == 1
        finally:
            page.context.close()


def test_wide_table_scrolls_in_its_own_region_reached_by_keyboard(
    browser, live_server, report_and_guide
):
    page = open_page(
        browser, live_server, report_and_guide.get_absolute_url(), size="xlarge", width=320
    )
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        region = "div.table-scroll[aria-labelledby='table3-caption']"
        assert page.evaluate(
            f"(s => {{ const e = document.querySelector(s);"
            f' return e.scrollWidth > e.clientWidth; }})("{region}")'
        )
        tab_to(page, region, limit=200)
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # scrolling is smooth: poll from Python (wait_for_function evals its string, which
        # the page's CSP forbids)
        scrolled = f'document.querySelector("{region}").scrollLeft'
        for _ in range(50):
            if page.evaluate(scrolled) > 0:
                break
            page.wait_for_timeout(100)
        assert page.evaluate(scrolled) > 0, "the arrow keys do not scroll the table"
    finally:
        page.context.close()
