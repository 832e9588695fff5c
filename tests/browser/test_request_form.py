"""The application form in a real browser without JavaScript, by keyboard (issue 19, item 4)."""

import pytest

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("prefix", ["", "/zh-hant"])
def test_a_citizen_applies_by_keyboard_without_javascript_with_a_hong_kong_phone(
    browser, live_server, transactional_db, prefix
):
    from applications.models import InformationRequest
    from tests.factories import make_organization

    bureau = make_organization(name="无锡市教育局")
    make_organization(name="无锡市教育局人事处", parent=bureau, accepts_requests=False)
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + prefix + "/requests/apply/")
    options = page.locator("select[name=organization] option").all_inner_texts()
    assert any("教育局" in o for o in options) and not any("人事处" in o for o in options)
    page.locator("input[name=applicant_type][value=citizen]").check()
    page.fill("input[name=applicant_name]", "陈大文")
    page.select_option("select[name=id_type]", "hmt_permit")
    page.fill("input[name=id_number]", "H12345678")
    page.fill("input[name=work_unit]", "香港某大学")
    page.fill("input[name=phone]", "+852 9123 4567")
    page.fill("textarea[name=description]", "2025年无锡市中小学校舍安全检查结果")
    page.fill("textarea[name=purpose]", "学术研究")
    page.select_option("select[name=organization]", label=options[-1])
    page.locator("input[name=medium][value=paper]").check()
    page.locator("input[name=delivery][value=on_site]").check()
    page.focus("textarea[name=purpose]")
    for _ in range(40):  # keyboard only: Tab to the submit button and press Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    submitted = InformationRequest.objects.get()
    assert submitted.tracking_number in page.content()
    assert submitted.phone == "+852 9123 4567" and submitted.delivery == "on_site"
    assert submitted.work_unit == "香港某大学" and submitted.purpose == "学术研究"
    context.close()
