"""The public pages in real Chromium: axe-core, keyboard only, 320 px and 200% zoom.

Screenshots go to $PORTAL_SCREENSHOTS (default /tmp/portal-screenshots) for a human look.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser]

SCREENSHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS", "/tmp/portal-screenshots"))
SEED_PK = 1
PAGES = {
    "home": "/",
    "catalogue": "/catalogue/plans/",
    "filtered": "/catalogue/catalogue/?year=2020&sort=title",
    "record": f"/records/{SEED_PK}/",
}
#: The pages other features added to the public site: checked in both scripts at two sizes.
FEATURE_PAGES = {
    "search": "/search/?q=教育",
    "listing": "/records/?organization=1&sort=-date",
    "plans": "/plans/",
    "plan": f"/plans/{SEED_PK}/",
    "request-form": "/requests/apply/",
    "request-status": "/requests/status/",
    "annual-reports": "/annual-reports/",
    "site-map": "/sitemap/",
}
SCRIPTS = {"hans": "", "hant": "/zh-hant", "hk": "/zh-hk"}
LANGS = {"hans": "zh-Hans", "hant": "zh-Hant-TW", "hk": "zh-Hant-HK"}
SIZES = {"default": 16, "large": 20, "xlarge": 24}
BLOCKING = {"serious", "critical"}


def open_page(browser, live_server, path, *, size="default", width=1280, scale=1):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=scale, locale="zh-CN"
    )
    context.add_cookies([{"name": "font_size", "value": size, "url": live_server.url}])
    page = context.new_page()
    response = page.goto(live_server.url + path)
    assert response.status == 200, f"{path}: {response.status}"
    return page


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("size", ["default", "xlarge"])
@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("name", FEATURE_PAGES)
def test_feature_page_has_no_serious_accessibility_violation(
    browser, live_server, site_data, name, script, size
):
    page = open_page(browser, live_server, SCRIPTS[script] + FEATURE_PAGES[name], size=size)
    try:
        lang = page.evaluate("document.documentElement.lang")
        assert lang == LANGS[script]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{script}-{size}.png"), full_page=True)
        assert blocking_violations(page) == []
        assert page.locator("main h1").count() == 1
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violation(
    browser, live_server, site_data, name, script, size
):
    page = open_page(browser, live_server, SCRIPTS[script] + PAGES[name], size=size)
    try:
        lang = page.evaluate("document.documentElement.lang")
        assert lang == LANGS[script]
        root_px = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert root_px == SIZES[size]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{script}-{size}.png"), full_page=True)
        assert blocking_violations(page) == []
        for landmark in ("header", "nav", "main", "footer"):
            assert page.locator(landmark).count() >= 1
    finally:
        page.context.close()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("width, scale", [(320, 1), (640, 2)], ids=["320px", "zoom200"])
def test_page_fits_narrow_screens_and_200_percent_zoom(
    browser, live_server, site_data, name, width, scale
):
    """320 CSS px wide, and a 1280 px window at 200% zoom (640 CSS px): no sideways scrolling."""
    page = open_page(browser, live_server, PAGES[name], size="xlarge", width=width, scale=scale)
    try:
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}px.png"), full_page=True)
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        assert blocking_violations(page) == []
    finally:
        page.context.close()


def tab_to(page, selector: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"could not reach {selector} with Tab")


def focus_is_visible(page) -> bool:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"
    )


def test_keyboard_alone_toggles_table_changes_size_and_switches_script(
    browser, live_server, site_data
):
    page = open_page(browser, live_server, PAGES["record"])
    try:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('skip-link')")
        assert page.locator(".skip-link").bounding_box()["y"] >= 0  # shown when focused

        tab_to(page, "summary")
        assert focus_is_visible(page)
        details = page.locator("details.meta-more")
        assert not page.locator("text=内容概述").first.is_visible()
        page.keyboard.press("Enter")
        assert details.get_attribute("open") is not None
        assert page.locator("th:has-text('内容概述')").is_visible()
        assert page.locator("summary .when-open").inner_text() == "收起表格信息"
        page.keyboard.press("Enter")
        assert details.get_attribute("open") is None

        page.goto(live_server.url + PAGES["record"])
        tab_to(page, '.font-size a[data-size="xlarge"]')
        assert focus_is_visible(page)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.url.endswith(f"{PAGES['record']}#font-size")
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "24px"
        status = page.evaluate(
            "getComputedStyle(document.querySelector('.font-size-status'), '::after').content"
        )
        assert status == '"当前字号:特大"'
        spoken = page.locator("#font-size").aria_snapshot()  # what a screen reader gets
        assert "当前字号:特大" in spoken and "特大(当前)" in spoken
        page.goto(live_server.url + "/catalogue/plans/")  # the choice persists across pages
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "24px"

        page.goto(live_server.url + PAGES["record"])
        tab_to(page, ".script-toggle")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.url == live_server.url + "/zh-hant" + PAGES["record"]
        assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
        assert "顯示全部表格信息" in page.inner_text("summary")
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "24px"
        tab_to(page, ".script-toggle")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.url == live_server.url + PAGES["record"]
    finally:
        page.context.close()


def test_script_variants_walked_by_keyboard(browser, live_server, site_data):
    """Simplified → Hong Kong → Taiwan → Simplified on one record page, Enter on each link."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(live_server.url + PAGES["record"])
        tab_to(page, ".script-variant")
        assert focus_is_visible(page)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.url == live_server.url + "/zh-hk" + PAGES["record"]
        assert page.evaluate("document.documentElement.lang") == "zh-Hant-HK"
        assert "顯示全部表格信息" in page.inner_text("summary")
        tab_to(page, ".script-variant")
        assert page.evaluate("document.activeElement.textContent") == "繁體(台灣)"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.url == live_server.url + "/zh-hant" + PAGES["record"]
        assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
        tab_to(page, ".script-toggle")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_load_state()
        assert page.url == live_server.url + PAGES["record"]
    finally:
        context.close()


def test_table_expands_without_javascript(browser, live_server, site_data):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + PAGES["record"])
        page.click("summary")
        assert page.locator("th:has-text('内容概述')").is_visible()
        page.click("summary")
        assert not page.locator("th:has-text('内容概述')").is_visible()
        with page.expect_navigation():
            page.click('.font-size a[data-size="large"]')
        page.wait_for_load_state()
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    finally:
        context.close()
