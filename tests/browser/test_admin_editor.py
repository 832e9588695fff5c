"""编制 → 发布 of a new record through the admin in real Chromium, with the 正文 editor:
a Word/WPS paste keeps headings, lists and tables and loses its styles, the editor runs under
the admin's Content-Security-Policy (no CDN: our own static files), and the office's page
loads and clicks are counted (issue 18's closing note)."""

from pathlib import Path

import pytest
from django.core.management import call_command

from disclosure.choices import RecordStatus
from disclosure.demo import ensure_demo_accounts
from disclosure.models import Category, DisclosureRecord
from tests.browser.test_admin_revisions import PASSWORD, Office

pytestmark = [pytest.mark.browser]
WORD_PASTE = (Path(__file__).parent.parent / "data" / "word_paste.html").read_text("utf-8")
EDITABLE = ".prose-editor .ProseMirror[contenteditable=true]"
PASTE = """(html) => {
    const editor = document.querySelector('.prose-editor .ProseMirror[contenteditable=true]');
    editor.focus();
    const data = new DataTransfer();
    data.setData('text/html', html);
    data.setData('text/plain', '一、总体要求');
    editor.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true,
                                                       cancelable: true}));
}"""


def test_a_new_record_from_draft_to_published_with_a_word_paste(
    browser, live_server, transactional_db
):
    call_command("loaddata", "vocabulary", verbosity=0)
    ensure_demo_accounts(password=PASSWORD)
    category = Category.objects.filter(children__isnull=True).order_by("pk").first()
    Office.loads = Office.clicks = 0

    editor = Office(browser, live_server, "demo-editor")
    blocked: list[str] = []
    editor.page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    editor.open("/admin/disclosure/disclosurerecord/add/")
    editor.page.wait_for_selector(EDITABLE)
    assert editor.page.locator("textarea#id_body").is_hidden()  # the editor replaced it
    editor.page.fill("#id_title", "关于做好2026年秋季学期开学工作的通知")
    editor.page.select_option("#id_category", str(category.pk))
    editor.page.fill("#id_issued_on", "2026-11-20")
    editor.page.evaluate(PASTE, WORD_PASTE)
    editor.page.wait_for_selector(f"{EDITABLE} table")
    editor.click("input[name=_continue]")
    record = DisclosureRecord.objects.get(title="关于做好2026年秋季学期开学工作的通知")
    assert record.department.name == "无锡市教育局发展规划处"  # defaulted, not typed
    assert "<h1>" in record.body and "<ol" in record.body and "<table>" in record.body
    assert "<li>" in record.body and "加强党的建设" in record.body and "学校" in record.body
    for office_markup in ("style=", "class=", "Mso", "font-family", "o:p"):
        assert office_markup not in record.body
    assert not [m for m in blocked if "directive 'script-src" in m], blocked
    editor.click("text=提交审核")
    editor.click("input[value=确认]")

    reviewer = Office(browser, live_server, "demo-reviewer")
    reviewer.open(f"/admin/disclosure/disclosurerecord/{record.pk}/change/")
    reviewer.click("a:text-is('审核通过')")
    reviewer.click("#id_confidentiality_reviewed", loads=False)
    reviewer.click("input[value=确认]")

    publisher = Office(browser, live_server, "demo-publisher")
    publisher.open(f"/admin/disclosure/disclosurerecord/{record.pk}/change/")
    publisher.click("a:text-is('发布')")
    publisher.click("input[value=确认]")
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED and record.index_number
    print(f"\n编制 → 发布 of a new record: {Office.loads} page loads, {Office.clicks} clicks")
