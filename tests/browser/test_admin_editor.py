"""编制 → 发布 of a new record through the admin in real Chromium, with the 正文 editor:
a Word/WPS paste keeps headings, lists and tables and loses its styles, the editor runs under
the admin's Content-Security-Policy (no CDN: our own static files), and the office's page
loads and clicks are counted (issue 18's closing note)."""

import re
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command

from disclosure.choices import RecordStatus
from disclosure.demo import ensure_demo_accounts
from disclosure.models import Category, DisclosureRecord
from tests.browser.test_admin_revisions import PASSWORD, Office

pytestmark = [pytest.mark.browser]
SCREENSHOTS = Path(tempfile.gettempdir())
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


LABELS = """() => {
    const bar = document.querySelector('.prose-menubar');
    const named = [...bar.querySelectorAll('[title], [aria-label]')].flatMap(
        e => [e.getAttribute('title'), e.getAttribute('aria-label')]);
    const texts = [...bar.querySelectorAll('.prose-menubar__option')].map(e => e.textContent);
    return [...named, ...texts].filter(Boolean);
}"""
DIALOG = """() => {
    const dialog = document.querySelector('dialog.prose-editor-dialog[open]');
    return [...dialog.querySelectorAll('h3, label, button, option')].map(e => e.textContent);
}"""


def english_words(labels: list[str]) -> list[str]:
    """Labels holding an English word (HTML, the name of the format, may stay)."""
    return [x for x in labels if re.search(r"[A-Za-z]{2,}", x.replace("HTML", ""))]


def test_the_body_editor_speaks_chinese(browser, live_server, transactional_db):
    """Issue 18 item 6, the whole admin in Chinese: the editor's toolbar titles and accessible
    names (which the editor writes in English) and its link, table and HTML dialogs."""
    call_command("loaddata", "vocabulary", verbosity=0)
    ensure_demo_accounts(password=PASSWORD)
    editor = Office(browser, live_server, "demo-editor")
    editor.open("/admin/disclosure/disclosurerecord/add/")
    editor.page.wait_for_selector(EDITABLE)
    labels = editor.page.evaluate(LABELS)
    assert len(labels) > 40 and not english_words(labels), labels
    for name in ("加粗", "一级标题", "编号列表", "插入表格", "插入链接", "撤销", "正文段落"):
        assert editor.page.get_by_role("button", name=name, include_hidden=True).count() >= 1, name
    editor.page.click(".prose-menubar__selected")  # opens the block-type picker
    editor.page.locator(".prose-editor").screenshot(path=str(SCREENSHOTS / "prose-editor-zh.png"))
    editor.page.keyboard.press("Escape")

    editor.page.click(EDITABLE)
    editor.page.keyboard.type("教育局")
    editor.page.keyboard.press("Shift+Home")
    dialogs = {"插入链接": ["编辑链接", "链接地址", "提示文字"], "插入表格": ["表格属性", "行数"],
               "编辑 HTML 源代码": ["HTML 源代码", "整理格式"]}  # fmt: skip
    for button, expected in dialogs.items():
        editor.page.get_by_role("button", name=button).click()
        editor.page.wait_for_selector("dialog.prose-editor-dialog[open]")
        texts = editor.page.evaluate(DIALOG)
        assert all(any(e in t for t in texts) for e in expected), texts
        assert "取消" in texts and not english_words(texts), texts
        editor.page.screenshot(path=str(SCREENSHOTS / f"prose-editor-zh-{len(texts)}.png"))
        editor.page.get_by_role("button", name="取消").click()
