"""Fixing a typo in a published record through the admin in real Chromium, while a reader keeps
reloading the public page: it never goes away (no 410) and shows the fix once published.

The test counts the office's page loads and clicks (issue 18's closing note).
"""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from disclosure.choices import RecordStatus
from disclosure.demo import ensure_demo_accounts
from disclosure.models import Attachment, AuditAction, AuditEntry, DisclosureRecord, Organization
from tests.disclosure.test_revision_attachments import NEW_PDF, OLD_PDF
from tests.factories import make_record

pytestmark = [pytest.mark.browser]
PASSWORD = "demo-pass-2026"
TYPO, FIXED = "关于做好秋季开学工做的通知", "关于做好秋季开学工作的通知"


class Office:
    """One signed-in staff member's browser page, counting page loads and clicks."""

    loads = 0
    clicks = 0

    def __init__(self, browser, live_server, username):
        from django.contrib.auth import get_user_model

        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        self.page = context.new_page()
        self.base = live_server.url

    def open(self, path):
        Office.loads += 1
        response = self.page.goto(self.base + path)
        assert response.status == 200, path

    def click(self, selector, *, loads=True):
        Office.clicks += 1
        Office.loads += int(loads)
        self.page.click(selector)
        if loads:
            self.page.wait_for_load_state()


def reader_sees(browser, live_server, pk) -> str:
    page = browser.new_page()
    response = page.goto(f"{live_server.url}/records/{pk}/")
    assert response.status == 200  # never 410 while the fix is under way
    title = page.inner_text("#record-title")
    page.close()
    return title


def test_fixing_a_typo_in_a_published_record_keeps_its_page_up(
    browser, live_server, transactional_db
):
    call_command("loaddata", "vocabulary", verbosity=0)
    ensure_demo_accounts(password=PASSWORD)
    bureau = Organization.objects.get(name="无锡市教育局")
    record = make_record(
        organization=bureau, department=Organization.objects.get(name="无锡市教育局发展规划处"),
        status=RecordStatus.PUBLISHED, title=TYPO, body="<p>各学校:请做好开学准备。</p>",
    )  # fmt: skip
    change = f"/admin/disclosure/disclosurerecord/{record.pk}/change/"
    Office.loads = Office.clicks = 0

    editor = Office(browser, live_server, "demo-editor")
    editor.open(change)
    assert "保存修改将生成待发布的修订" in editor.page.inner_text("#content-main")
    editor.page.fill("#id_title", FIXED)
    editor.click("input[name=_continue]")
    assert reader_sees(browser, live_server, record.pk) == TYPO
    editor.click("text=提交修订审核")
    editor.click("input[value=确认]")
    assert reader_sees(browser, live_server, record.pk) == TYPO

    reviewer = Office(browser, live_server, "demo-reviewer")
    reviewer.open(change)
    reviewer.click("#preview-link")
    assert reviewer.page.inner_text("#record-title") == FIXED  # the 预览
    reviewer.page.go_back()
    reviewer.click("text=修订审核通过")
    reviewer.click("#id_confidentiality_reviewed", loads=False)
    reviewer.click("input[value=确认]")
    assert reader_sees(browser, live_server, record.pk) == TYPO

    publisher = Office(browser, live_server, "demo-publisher")
    publisher.open(change)
    publisher.click("text=发布修订")
    publisher.click("input[value=确认]")
    assert "已发布修订" in publisher.page.inner_text("body")
    assert reader_sees(browser, live_server, record.pk) == FIXED

    live = DisclosureRecord.objects.get(pk=record.pk)
    assert live.title == FIXED and live.status == RecordStatus.PUBLISHED
    assert AuditEntry.objects.filter(action=AuditAction.WITHDRAW).count() == 0
    print(f"\nfix a typo in a published record: {Office.loads} page loads, {Office.clicks} clicks")


def reader_downloads(browser, live_server, pk) -> tuple[str, bytes]:
    """What an anonymous reader sees listed under 附件下载, and the file its link gives."""
    page = browser.new_page()
    assert page.goto(f"{live_server.url}/records/{pk}/").status == 200
    listed = page.inner_text("section.attachments")
    href = page.get_attribute("section.attachments a", "href")
    body = page.request.get(live_server.url + href).body()
    page.close()
    return listed, body


def test_replacing_an_attachment_of_a_published_record_while_readers_keep_the_old_one(
    browser, live_server, transactional_db, tmp_path
):
    call_command("loaddata", "vocabulary", verbosity=0)
    ensure_demo_accounts(password=PASSWORD)
    record = make_record(
        organization=Organization.objects.get(name="无锡市教育局"),
        department=Organization.objects.get(name="无锡市教育局发展规划处"),
        status=RecordStatus.PUBLISHED, title=FIXED,
    )  # fmt: skip
    Attachment.objects.create(
        record=record, title="实施方案", original_name="实施方案.pdf", size=len(OLD_PDF),
        content_type="application/pdf", file=SimpleUploadedFile("实施方案.pdf", OLD_PDF),
    )  # fmt: skip
    corrected = tmp_path / "实施方案(更正稿).pdf"
    corrected.write_bytes(NEW_PDF)
    change = f"/admin/disclosure/disclosurerecord/{record.pk}/change/"

    editor = Office(browser, live_server, "demo-editor")
    editor.open(change)
    editor.page.set_input_files("input[name=revision_attachments-0-file]", str(corrected))
    editor.page.locator("#attachments-group").scroll_into_view_if_needed()
    editor.page.screenshot(path=str(tmp_path.parent / "revision-attachments.png"))
    editor.click("input[name=_continue]")
    assert "修改已保存为待发布的修订" in editor.page.inner_text("body")
    listed, body = reader_downloads(browser, live_server, record.pk)
    assert "实施方案.pdf" in listed and "更正稿" not in listed and body == OLD_PDF
    editor.click("text=提交修订审核")
    editor.click("input[value=确认]")

    reviewer = Office(browser, live_server, "demo-reviewer")
    reviewer.open(change)
    reviewer.click("text=修订审核通过")
    assert "替换「实施方案」的文件:实施方案.pdf → 实施方案(更正稿).pdf" in (
        reviewer.page.inner_text("#content-main")
    )
    reviewer.click("#id_confidentiality_reviewed", loads=False)
    reviewer.click("input[value=确认]")
    listed, body = reader_downloads(browser, live_server, record.pk)
    assert "更正稿" not in listed and body == OLD_PDF

    publisher = Office(browser, live_server, "demo-publisher")
    publisher.open(change)
    publisher.click("text=发布修订")
    publisher.click("input[value=确认]")
    listed, body = reader_downloads(browser, live_server, record.pk)
    assert "实施方案(更正稿).pdf" in listed and body == NEW_PDF
