"""The workflow through the admin, driven as the demo role accounts of `setup_demo`."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from disclosure.choices import RecordStatus
from disclosure.demo import ensure_demo_accounts
from disclosure.models import (
    Attachment,
    AuditAction,
    AuditEntry,
    Category,
    DisclosureRecord,
    Organization,
    StaffProfile,
)
from disclosure.roles import AUDITOR, EDITOR, PUBLISHER, REVIEWER
from tests.factories import make_organization, make_record, make_zip, tiny_pdf

PASSWORD = "demo-pass-2026"
CHANGELIST = "/admin/disclosure/disclosurerecord/"


@pytest.fixture
def demo(vocabulary):
    ensure_demo_accounts(password=PASSWORD)
    return Organization.objects.get(name="无锡市教育局")


def planning_department():
    """The demo editor's department (their scope)."""
    return Organization.objects.get(name="无锡市教育局发展规划处")


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def change_url(record) -> str:
    return f"{CHANGELIST}{record.pk}/change/"


def form_data(record=None, **overrides) -> dict:
    """The change form's POST body (with empty inline management forms)."""
    data = {
        "title": record.title if record else "新草稿",
        "organization": record.organization_id if record else "",
        "department": record.department_id or "" if record else "",
        "category": record.category_id if record else Category.objects.first().pk,
        "issued_on": "2026-11-20",
        "disclosure_period": "long_term",
        "disclosure_forms": ["website"],
        "disclosure_method": "proactive",
        "disclosure_scope": "public",
        "procedure": "部门编制,经办公室审核后公开",
        "summary": record.summary if record else "",
        "body": record.body if record else "",
        "expected_version": record.version if record else "",
    }
    for prefix in ("keyword_links", "attachments", "revision_attachments"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.django_db
def test_setup_demo_creates_one_account_per_role(capsys, vocabulary):
    call_command("setup_demo", "--no-migrate")
    out = capsys.readouterr().out
    for username, role in [
        ("demo-editor", EDITOR),
        ("demo-reviewer", REVIEWER),
        ("demo-publisher", PUBLISHER),
        ("demo-auditor", AUDITOR),
    ]:
        assert f"用户名 {username}" in out
        assert Group.objects.get(name=role).user_set.filter(username=username).exists()


@pytest.mark.django_db
def test_editor_sees_only_their_organizations_records(client, demo):
    department = Organization.objects.get(name="无锡市教育局发展规划处")
    mine = make_record(organization=demo, department=department, title="规划处的草稿")
    other = make_record(organization=make_organization(), title="别的机构的草稿")
    page = login(client, "demo-editor").get(CHANGELIST).content.decode()
    assert mine.title in page and other.title not in page
    assert client.get(change_url(other)).status_code == 302  # not found → redirected
    auditor_page = login(client, "demo-auditor").get(CHANGELIST).content.decode()
    assert mine.title in auditor_page and other.title in auditor_page


@pytest.mark.django_db
def test_editor_creates_a_sanitized_draft_and_cannot_set_the_status(client, demo):
    login(client, "demo-editor")
    department = Organization.objects.get(name="无锡市教育局发展规划处")
    response = client.post(
        f"{CHANGELIST}add/",
        form_data(
            organization=demo.pk,
            department=department.pk,
            body='<p onmouseover="x()">正文</p><script>alert(1)</script>',
            status="published",
        ),
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
    )
    record = DisclosureRecord.objects.get(title="新草稿")
    assert record.status == RecordStatus.DRAFT and record.body == "<p>正文</p>"
    assert record.created_by.username == "demo-editor"
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(record.pk)).exists()
    page = client.get(change_url(record)).content.decode()
    assert 'name="status"' not in page and 'name="published_at' not in page
    assert "提交审核" in page


@pytest.mark.django_db
def test_stale_admin_save_shows_the_conflict_and_keeps_the_record(client, demo):
    editor_user = login(client, "demo-editor")
    record = make_record(organization=demo, department=planning_department(), title="原标题")
    first = editor_user.post(change_url(record), form_data(record, title="先保存的标题"))
    assert first.status_code == 302
    second = client.post(
        change_url(record), form_data(record, title="后保存的标题", expected_version=1)
    )
    page = second.content.decode()
    assert second.status_code == 200 and "保存冲突" in page and "先保存的标题" in page
    assert DisclosureRecord.objects.get(pk=record.pk).title == "先保存的标题"
    refusal = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert refusal.actor_name == "demo-editor" and "保存冲突" in refusal.reason


@pytest.mark.django_db
def test_disguised_upload_in_the_admin_is_refused_and_audited(client, demo):
    login(client, "demo-editor")
    record = make_record(organization=demo, department=planning_department())
    exe = SimpleUploadedFile("2020年工作总结.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    data = form_data(
        record,
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "工作总结",
            "attachments-0-file": exe,
            "attachments-0-position": "0",
        },
    )
    response = client.post(change_url(record), data)
    assert response.status_code == 200
    assert "Windows 可执行程序,不是 .pdf 文件" in response.content.decode()
    assert not Attachment.objects.exists()
    assert DisclosureRecord.objects.get(pk=record.pk).version == record.version
    refusal = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert refusal.details["attempted"] == "upload"

    pdf = SimpleUploadedFile("2020年工作总结.pdf", tiny_pdf())
    data["attachments-0-file"] = pdf
    assert client.post(change_url(record), data).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "2020年工作总结.pdf"
    assert attachment.content_type == "application/pdf"
    assert "2020" not in attachment.file.name.rsplit("/", 1)[-1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("通知.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>", "不是有效的 PDF 文件"),
        ("附件.zip", make_zip({"setup.exe": b"harmless?"}), "中含有可执行文件(.exe)「setup.exe」"),
    ],
)
def test_malformed_upload_in_the_admin_is_refused_and_nothing_is_saved(
    client, demo, name, content, message
):
    login(client, "demo-editor")
    record = make_record(organization=demo, department=planning_department())
    data = form_data(
        record,
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "附件",
            "attachments-0-file": SimpleUploadedFile(name, content),
            "attachments-0-position": "0",
        },
    )
    response = client.post(change_url(record), data)
    assert response.status_code == 200
    assert f"文件「{name}」{message}" in response.content.decode()
    assert not Attachment.objects.exists()
    assert DisclosureRecord.objects.get(pk=record.pk).version == record.version


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["²", "①", "2147483648", "2020"])
def test_year_list_filter_takes_only_a_year(client, demo, year):
    login(client, "demo-editor")
    make_record(organization=demo, department=planning_department(), title="二〇二〇年的草稿")
    response = client.get(CHANGELIST, {"year": year})
    assert response.status_code == 200  # Django answers a failing filter with 302 to ?e=1
    assert "二〇二〇年的草稿" in response.content.decode()


@pytest.mark.django_db
def test_bulk_approve_reports_each_failure_and_approves_the_rest(client, demo):
    reviewer = login(client, "demo-reviewer")
    editor = DisclosureRecord._meta.get_field("created_by").related_model.objects.get(
        username="demo-editor"
    )
    good = make_record(organization=demo, created_by=editor, status=RecordStatus.SUBMITTED)
    own = make_record(
        organization=demo,
        created_by=editor,
        title="审核人自己改过的",
        status=RecordStatus.SUBMITTED,
    )
    DisclosureRecord.objects.filter(pk=own.pk).update(
        updated_by=editor.__class__.objects.get(username="demo-reviewer")
    )
    draft = make_record(organization=demo, title="还是草稿", created_by=editor)
    selected = {"action": "transition_approve", "_selected_action": [good.pk, own.pk, draft.pk]}
    confirm = reviewer.post(CHANGELIST, selected)
    assert "已完成保密审查" in confirm.content.decode()  # the intermediate form
    done = reviewer.post(
        CHANGELIST,
        {
            **selected,
            "apply": "1",
            "confidentiality_reviewed": "on",
            "disclosure_method": "proactive",
        },
        follow=True,
    )
    notes = " ".join(messages_of(done))
    assert "审核通过成功 1 条" in notes and "失败 2 条" in notes
    assert "「审核人自己改过的」" in notes and "四眼原则" in notes
    assert "「还是草稿」" in notes and "当前状态为「草稿」" in notes
    statuses = dict(DisclosureRecord.objects.values_list("pk", "status"))
    assert statuses == {
        good.pk: RecordStatus.APPROVED,
        own.pk: RecordStatus.SUBMITTED,
        draft.pk: RecordStatus.DRAFT,
    }


@pytest.mark.django_db
def test_reject_without_reason_is_refused_in_the_admin(client, demo):
    login(client, "demo-reviewer")
    record = make_record(organization=demo, status=RecordStatus.SUBMITTED)
    url = f"{CHANGELIST}{record.pk}/transition/reject/"
    response = client.post(url, {"reason": ""}, follow=True)
    assert "退回修改须填写理由" in " ".join(messages_of(response))
    assert DisclosureRecord.objects.get(pk=record.pk).status == RecordStatus.SUBMITTED
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 1


@pytest.mark.django_db
def test_publisher_schedules_a_publication_in_beijing_time(client, demo):
    login(client, "demo-publisher")
    record = make_record(organization=demo, status=RecordStatus.APPROVED)
    url = f"{CHANGELIST}{record.pk}/transition/publish/"
    form = client.get(url).content.decode()
    assert "定时发布时间(北京时间 UTC+8)" in form
    response = client.post(url, {"publish_at": "2030-01-02T09:30"}, follow=True)
    assert "已发布" in " ".join(messages_of(response))
    record.refresh_from_db()
    assert record.scheduled_publish_at == datetime.datetime(2030, 1, 2, 1, 30, tzinfo=datetime.UTC)
    listing = client.get(CHANGELIST).content.decode()
    assert "定时:2030-01-02 09:30 北京时间" in listing


@pytest.mark.django_db
def test_auditor_reads_everything_and_changes_nothing(client, demo):
    login(client, "demo-auditor")
    record = make_record(organization=demo, status=RecordStatus.SUBMITTED)
    page = client.get(change_url(record))
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()
    assert client.post(change_url(record), form_data(record, title="改")).status_code == 403
    denial = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert denial.actor_name == "demo-auditor" and denial.details["attempted"] == "change"
    client.post(
        f"{CHANGELIST}{record.pk}/transition/approve/",
        {"confidentiality_reviewed": "on", "disclosure_method": "proactive"},
    )
    assert DisclosureRecord.objects.get(pk=record.pk).status == RecordStatus.SUBMITTED
    assert client.get(f"{CHANGELIST}{record.pk}/revisions/").status_code == 200
    assert client.get("/admin/disclosure/auditentry/").status_code == 200


@pytest.mark.django_db
def test_dashboard_lists_what_awaits_the_user_and_expiry(client, demo):
    soon = timezone.localdate() + datetime.timedelta(days=10)
    make_record(organization=demo, title="待审的", status=RecordStatus.SUBMITTED)
    make_record(
        organization=demo,
        title="快到期的",
        status=RecordStatus.PUBLISHED,
        valid_until=soon,
    )
    make_record(
        organization=demo,
        title="已失效的",
        status=RecordStatus.PUBLISHED,
        valid_until=datetime.date(2021, 1, 1),
    )
    login(client, "demo-reviewer")
    board = client.get(f"{CHANGELIST}dashboard/").content.decode()
    assert "待我审核(1)" in board and "待审的" in board
    assert "快到期的" in board and "已失效的" not in board.split("公开时限")[0]
    assert "应公开日期" in board
    listing = client.get(f"{CHANGELIST}?validity=expired").content.decode()
    assert "已失效的" in listing and "失效" in listing and "快到期的" not in listing


@pytest.mark.django_db
def test_revisions_page_diffs_two_revisions_field_by_field(client, demo):
    login(client, "demo-editor")
    record = make_record(organization=demo, department=planning_department(), title="旧标题")
    client.post(change_url(record), form_data(record, title="新标题"))
    page = client.get(f"{CHANGELIST}{record.pk}/revisions/").content.decode()
    assert 'id="revision-diff"' in page and "旧标题" in page and "新标题" in page


@pytest.mark.django_db
def test_admin_sets_a_staff_members_organization_on_the_user_page(client, demo):
    login(client, "demo")
    editor = Group.objects.get(name=EDITOR).user_set.get(username="demo-editor")
    page = client.get(f"/admin/auth/user/{editor.pk}/change/").content.decode()
    assert "工作人员所属机构" in page and "无锡市教育局发展规划处" in page


@pytest.mark.django_db
def test_reviewer_gets_changes_since_the_published_version_in_one_click(client, demo):
    from disclosure.services.editing import update_record
    from disclosure.workflow import (
        approve_record,
        publish_record,
        redraft_record,
        submit_record,
        withdraw_record,
    )

    users = Group.objects.get(name=EDITOR).user_set.model.objects
    editor, publisher = users.get(username="demo-editor"), users.get(username="demo-publisher")
    other_reviewer = users.create_user(username="reviewer2", is_staff=True)
    other_reviewer.groups.add(Group.objects.get(name=REVIEWER))
    StaffProfile.objects.create(user=other_reviewer, organization=demo)
    other_reviewer = users.get(pk=other_reviewer.pk)
    record = make_record(
        organization=demo, department=planning_department(), created_by=editor, title="初版标题"
    )
    submit_record(record=record, actor=editor)
    approve_record(
        record=record,
        actor=other_reviewer,
        confidentiality_reviewed=True,
        disclosure_method="proactive",
    )
    publish_record(record=record, actor=publisher)
    withdraw_record(record=record, actor=publisher, reason="更正标题")
    redraft_record(record=record, actor=editor)
    current = DisclosureRecord.objects.get(pk=record.pk)
    current.title = "更正后的标题"
    update_record(record=current, actor=editor, expected_version=current.version)
    submit_record(record=current, actor=editor)

    login(client, "demo-reviewer")
    change_page = client.get(change_url(record)).content.decode()
    assert "与已发布版本对比" in change_page
    diff = client.get(f"{CHANGELIST}{record.pk}/revisions/?since=published").content.decode()
    assert "与已发布版本相比的改动" in diff and "初版标题" in diff and "更正后的标题" in diff
    approve_page = client.get(f"{CHANGELIST}{record.pk}/transition/approve/").content.decode()
    assert "初版标题" in approve_page and "更正后的标题" in approve_page
