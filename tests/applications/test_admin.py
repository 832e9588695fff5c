import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.models import InformationRequest, RequestState
from disclosure.models import AuditEntry, CalendarOverride
from reports.models import AnnualReport
from tests.factories import applicant_fields, make_organization, make_request, make_user

pytestmark = pytest.mark.django_db
D = datetime.date


def staff(client, *codenames):
    user = make_user(is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return user


REQUEST_PERMS = ("view_informationrequest", "change_informationrequest", "add_informationrequest")
CHANGELIST = reverse("admin:applications_informationrequest_changelist")


def test_list_and_export_mask_personal_data_without_the_permission(client):
    make_request(received_on=D(2020, 9, 30))
    staff(client, *REQUEST_PERMS)
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
    body = export.content.decode("utf-8-sig")
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

    from applications.models import ReceiptChannel
    from applications.services import register_request

    request = register_request(
        actor=make_user(),
        organization=make_organization(),
        channel=ReceiptChannel.IN_PERSON,
        fields=applicant_fields(),
        submitted_on=D(2020, 9, 30),
        attachment=SimpleUploadedFile("身份证.pdf", b"%PDF-1.4 id copy"),
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
    assert b"".join(response.streaming_content) == b"%PDF-1.4 id copy"
    assert AuditEntry.objects.filter(action="export", object_id=str(request.pk)).exists()
