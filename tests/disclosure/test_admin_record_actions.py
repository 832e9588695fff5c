"""The record admin's revision and 废止 pages (disclosure/admin/record_actions.py), by role."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from disclosure.choices import RecordStatus
from disclosure.demo import ensure_demo_accounts
from disclosure.models import (
    Attachment,
    AuditAction,
    AuditEntry,
    DisclosureRecord,
    Organization,
    PendingAttachment,
    PendingRevision,
)
from disclosure.roles import EDITOR
from tests.disclosure.test_admin_workflow import (
    CHANGELIST,
    PASSWORD,
    change_url,
    form_data,
    login,
    messages_of,
    planning_department,
)
from tests.disclosure.test_revision_attachments import EXE, NEW_PDF, OLD_PDF, all_files
from tests.factories import make_record, make_staff


@pytest.fixture
def demo(vocabulary):
    ensure_demo_accounts(password=PASSWORD)
    return Organization.objects.get(name="无锡市教育局")


def live_record(demo):
    return make_record(
        organization=demo, department=planning_department(), status=RecordStatus.PUBLISHED,
        title="关于做好秋季开学工做的通知", keywords=("开学",),
    )  # fmt: skip


@pytest.mark.django_db
def test_editing_a_published_record_in_the_admin_keeps_the_live_page_up(client, demo):
    record = live_record(demo)
    editor = login(client, "demo-editor")
    page = editor.get(change_url(record)).content.decode()
    assert "保存修改将生成待发布的修订" in page
    data = form_data(record, title="关于做好秋季开学工作的通知", keywords_text="开学,秋季")
    assert editor.post(change_url(record), data).status_code == 302
    assert client.get(record.get_absolute_url()).status_code == 200
    assert DisclosureRecord.objects.get(pk=record.pk).title == "关于做好秋季开学工做的通知"
    reopened = editor.get(change_url(record)).content.decode()
    assert 'value="关于做好秋季开学工作的通知"' in reopened and "开学,秋季" in reopened
    assert "提交修订审核" in reopened and "发布修订" not in reopened
    editor.post(f"{CHANGELIST}{record.pk}/revision/submit/", {})

    reviewer = login(client, "demo-reviewer")
    reviewer.post(f"{CHANGELIST}{record.pk}/revision/approve/", {"confidentiality_reviewed": "on"})
    assert PendingRevision.objects.get().status == "approved"
    publisher = login(client, "demo-publisher")
    assert "发布修订" in publisher.get(change_url(record)).content.decode()
    publisher.post(f"{CHANGELIST}{record.pk}/revision/publish/", {})
    live = DisclosureRecord.objects.get(pk=record.pk)
    assert live.title == "关于做好秋季开学工作的通知" and live.keyword_names() == ["开学", "秋季"]
    assert "关于做好秋季开学工作的通知" in client.get(record.get_absolute_url()).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["demo-editor", "demo-auditor"])
def test_roles_that_may_not_publish_get_no_revision_publish_page(client, demo, username):
    record = live_record(demo)
    login(client, username)
    assert client.get(f"{CHANGELIST}{record.pk}/revision/publish/").status_code == 403
    assert client.get(f"{CHANGELIST}{record.pk}/transition/withdraw/").status_code == 403


@pytest.mark.django_db
def test_the_editor_gets_no_confirmation_page_of_a_transition_they_cannot_run(client, demo):
    record = make_record(organization=demo, department=planning_department())
    login(client, "demo-editor")
    page = client.get(change_url(record)).content.decode()
    assert "审核通过" not in page and "/transition/approve/" not in page
    assert client.get(f"{CHANGELIST}{record.pk}/transition/approve/").status_code == 403
    assert client.get(f"{CHANGELIST}{record.pk}/transition/publish/").status_code == 403
    denial = AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).latest("id")
    assert denial.details["attempted"] == "transition:publish"


@pytest.mark.django_db
def test_the_publisher_repeals_a_record_with_the_repealing_document_and_date(client, demo):
    record = live_record(demo)
    repealing = make_record(organization=demo, status=RecordStatus.PUBLISHED, title="新办法")
    login(client, "demo-publisher")
    assert f"{CHANGELIST}{record.pk}/repeal/" in client.get(change_url(record)).content.decode()
    response = client.post(
        f"{CHANGELIST}{record.pk}/repeal/",
        {"repealed_on": "2026-12-01", "repealed_by": repealing.pk, "reason": "被新办法替代"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.repealed_on == datetime.date(2026, 12, 1) and record.repealed_by == repealing
    assert record.validity_status(today=datetime.date(2026, 12, 2)).label == "废止"
    entry = AuditEntry.objects.filter(action=AuditAction.REPEAL).get()
    assert entry.actor_name == "demo-publisher" and entry.reason == "被新办法替代"


@pytest.mark.django_db
def test_a_repeal_dated_before_issue_is_refused_with_the_reason(client, demo):
    record = live_record(demo)
    login(client, "demo-publisher")
    response = client.post(f"{CHANGELIST}{record.pk}/repeal/", {"repealed_on": "2001-01-01"})
    assert "废止日期不能早于发文日期" in response.content.decode()
    record.refresh_from_db()
    assert record.repealed_on is None


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["demo-editor", "demo-reviewer", "demo-auditor"])
def test_roles_without_publishing_cannot_repeal(client, demo, username):
    record = live_record(demo)
    login(client, username)
    assert "/repeal/" not in client.get(change_url(record)).content.decode()
    response = client.post(f"{CHANGELIST}{record.pk}/repeal/", {"repealed_on": "2026-12-01"})
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.repealed_on is None


@pytest.mark.django_db
def test_a_scheduled_publication_is_labelled_as_scheduled_until_it_goes_out(client, demo):
    from django.utils import timezone

    later = timezone.now() + datetime.timedelta(days=2)
    record = live_record(demo)
    DisclosureRecord.objects.filter(pk=record.pk).update(
        published_at=later, scheduled_publish_at=later
    )
    login(client, "demo-publisher")
    listing = client.get(CHANGELIST).content.decode()
    assert "定时发布(" in listing
    page = client.get(change_url(record)).content.decode()
    assert "定时发布(" in page
    DisclosureRecord.objects.filter(pk=record.pk).update(scheduled_publish_at=None)
    assert "定时发布(" not in client.get(CHANGELIST).content.decode()


@pytest.mark.django_db
def test_a_duplicate_document_number_in_the_same_bureau_and_year_gives_a_warning(client, demo):
    first = make_record(
        organization=demo, department=planning_department(), document_number="锡教〔2026〕5号",
        issued_on=datetime.date(2026, 3, 1), title="第一份",
    )  # fmt: skip
    make_record(organization=demo, document_number="锡教〔2025〕5号", title="去年的")
    login(client, "demo-editor")
    data = form_data(
        organization=demo.pk, department=planning_department().pk, title="第二份",
        document_number="锡教〔2026〕5号", issued_on="2026-11-20",
    )  # fmt: skip
    response = client.post(f"{CHANGELIST}add/", data, follow=True)
    warnings = [m for m in messages_of(response) if "文件编号" in m]
    assert len(warnings) == 1 and f"ID {first.pk}" in warnings[0]
    assert "2026年已被使用" in warnings[0]
    assert DisclosureRecord.objects.filter(title="第二份").exists()
    data.update(title="第三份", document_number="锡教〔2026〕6号")
    response = client.post(f"{CHANGELIST}add/", data, follow=True)
    assert not [m for m in messages_of(response) if "文件编号" in m]


@pytest.mark.django_db
def test_disclosure_forms_are_labelled_checkboxes_and_a_plain_text_body_keeps_paragraphs(
    client, demo
):
    login(client, "demo-editor")
    page = client.get(f"{CHANGELIST}add/").content.decode()
    assert 'type="checkbox" name="disclosure_forms" value="gazette"' in page
    assert "政府公报" in page and "政府信息查阅场所" in page
    data = form_data(
        organization=demo.pk, department=planning_department().pk, title="勾选公开形式",
        disclosure_forms=["website", "gazette"], body="第一段内容。\n\n第二段内容。",
    )  # fmt: skip
    assert client.post(f"{CHANGELIST}add/", data).status_code == 302
    record = DisclosureRecord.objects.get(title="勾选公开形式")
    assert record.disclosure_forms == ["website", "gazette"]
    assert record.disclosure_forms_label == "网站、政府公报"
    assert record.body == "<p>第一段内容。</p><p>第二段内容。</p>"
    data.update(title="未知形式", disclosure_forms=["carrier_pigeon"])
    response = client.post(f"{CHANGELIST}add/", data)
    errors = response.context["adminform"].form.errors
    assert "carrier_pigeon" in str(errors["disclosure_forms"])
    assert not DisclosureRecord.objects.filter(title="未知形式").exists()


@pytest.mark.django_db
def test_topics_are_searched_and_answered_grouped_by_parent(client, demo):
    from disclosure.models import Topic

    login(client, "demo-editor")
    page = client.get(f"{CHANGELIST}add/").content.decode()
    assert "/admin/disclosure/topic/grouped-autocomplete/" in page
    answer = client.get(
        "/admin/disclosure/topic/grouped-autocomplete/",
        {"term": "教育", "app_label": "disclosure", "model_name": "disclosurerecord",
         "field_name": "topic"},
    ).json()  # fmt: skip
    groups = {group["text"]: [c["text"] for c in group["children"]] for group in answer["results"]}
    parent = Topic.objects.get(name="科技、教育", parent=None)
    children = list(parent.children.order_by("ordering").values_list("name", flat=True))
    assert groups["科技、教育"][0] == "科技、教育(一级主题)"
    assert groups["科技、教育"][1:] == children
    assert len(answer["results"]) == len(groups)  # each parent once


@pytest.mark.django_db
def test_a_new_record_starts_in_the_editors_department_and_offers_only_their_scope(client, demo):
    login(client, "demo-editor")
    response = client.get(f"{CHANGELIST}add/")
    form = response.context["adminform"].form
    assert form.initial["department"] == planning_department().pk
    assert form.initial["organization"] == demo.pk
    offered = {org.name for org in form.fields["department"].queryset}
    assert "无锡市教育局发展规划处" in offered and "无锡市教育局" not in offered
    assert all(name.startswith("无锡市教育局") for name in offered)


@pytest.mark.django_db
def test_the_admin_speaks_chinese_to_screen_readers_too(client, demo):
    login(client, "demo-editor")
    index = client.get("/admin/").content.decode()
    assert "Model name" not in index and "Add link" not in index and "模型名称" in index
    record = make_record(organization=demo, department=planning_department())
    page = client.get(change_url(record)).content.decode()
    assert "Expected version" not in page
    bad = form_data(record, title="")
    assert "Error:" not in client.post(change_url(record), bad).content.decode()


def with_attachment(record):
    return Attachment.objects.create(
        record=record, title="实施方案", original_name="实施方案.pdf", size=len(OLD_PDF),
        content_type="application/pdf", file=SimpleUploadedFile("实施方案.pdf", OLD_PDF),
    )  # fmt: skip


def replacing(record, attachment, upload) -> dict:
    """The change form with the revision's one 附件 (the published one) given a new file."""
    data = form_data(record)
    data.update(
        {
            "revision_attachments-TOTAL_FORMS": "1",
            "revision_attachments-0-title": "实施方案(更正)",
            "revision_attachments-0-published": str(attachment.pk),
            "revision_attachments-0-position": "0",
            "revision_attachments-0-file": upload,
            "revision_attachments-0-record": str(record.pk),
        }
    )
    return data


@pytest.mark.django_db
def test_replacing_an_attachment_of_a_published_record_through_the_admin(client, demo):
    record = live_record(demo)
    attachment = with_attachment(record)
    editor = login(client, "demo-editor")
    page = editor.get(change_url(record)).content.decode()
    # the revision's list starts as the published one, ready to edit
    assert f'name="revision_attachments-0-published" value="{attachment.pk}"' in page
    assert 'value="实施方案.pdf"' in page
    upload = SimpleUploadedFile("更正稿.pdf", NEW_PDF)
    assert editor.post(change_url(record), replacing(record, attachment, upload)).status_code == 302
    row = PendingAttachment.objects.get()
    assert (row.published_id, row.original_name, row.title) == (
        attachment.pk,
        "更正稿.pdf",
        "实施方案(更正)",
    )
    assert [a.original_name for a in record.attachments.all()] == ["实施方案.pdf"]
    editor.post(f"{CHANGELIST}{record.pk}/revision/submit/", {})

    # the reviewer sees the 附件 change, and the preview serves the new file to them only
    reviewer = login(client, "demo-reviewer")
    approve = reviewer.get(f"{CHANGELIST}{record.pk}/revision/approve/").content.decode()
    assert "替换「实施方案」的文件:实施方案.pdf → 更正稿.pdf" in approve
    assert "与已发布版本相比的改动" in approve
    preview = reviewer.get(f"/preview/{record.pk}/").content.decode()
    assert "实施方案(更正)" in preview and "更正稿.pdf" in preview
    link = f"/preview/{record.pk}/attachments/revision/{row.pk}/"
    assert link in preview
    assert b"".join(reviewer.get(link).streaming_content) == NEW_PDF
    client.logout()
    assert client.get(link).status_code == 404
    assert "更正稿.pdf" not in client.get(record.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_revision_upload_that_fails_the_checks_is_refused_on_the_form(client, demo):
    record = live_record(demo)
    attachment = with_attachment(record)
    before = all_files()
    login(client, "demo-editor")
    upload = SimpleUploadedFile("通知.pdf", EXE)
    response = client.post(change_url(record), replacing(record, attachment, upload))
    assert response.status_code == 200 and "可执行程序" in response.content.decode()
    assert all_files() == before and not PendingAttachment.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()


@pytest.mark.django_db
def test_an_editor_of_another_department_cannot_add_attachments_to_the_revision(client, demo):
    record = live_record(demo)
    attachment = with_attachment(record)
    other = Organization.objects.get(name="无锡市教育局人事处")
    make_staff(EDITOR, organization=other, username="personnel-editor", password=PASSWORD)
    before = all_files()
    login(client, "personnel-editor")
    assert client.get(change_url(record)).status_code == 302  # not in their scope
    upload = SimpleUploadedFile("外来.pdf", NEW_PDF)
    client.post(change_url(record), replacing(record, attachment, upload))
    assert not PendingAttachment.objects.exists() and not PendingRevision.objects.exists()
    assert all_files() == before


@pytest.mark.django_db
def test_adding_an_attachment_without_a_file_is_a_form_error(client, demo):
    record = live_record(demo)
    attachment = with_attachment(record)
    login(client, "demo-editor")
    data = replacing(record, attachment, "")
    data.update(
        {
            "revision_attachments-TOTAL_FORMS": "2",
            "revision_attachments-1-title": "补充材料",
            "revision_attachments-1-position": "1",
            "revision_attachments-1-record": str(record.pk),
        }
    )
    response = client.post(change_url(record), data)
    assert response.status_code == 200 and "新增的附件须上传文件。" in response.content.decode()
    assert not PendingRevision.objects.exists()
