import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from applications.choices import (
    ApplicantType,
    OrganizationKind,
    ReceiptChannel,
    ReplyReason,
    ReplyType,
    RequestState,
)
from applications.models import InformationRequest, RequestEvent
from applications.services import (
    RequestError,
    anonymize_expired_requests,
    answer_request,
    close_overdue_corrections,
    close_request,
    end_consultation,
    extend_request,
    lookup_request,
    receipt_date,
    receive_correction,
    register_request,
    request_correction,
    start_consultation,
    submit_online_request,
)
from disclosure.models import AuditEntry
from tests.factories import (
    applicant_fields,
    make_organization,
    make_request,
    make_request_handler,
    make_user,
    tiny_pdf,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def approver():
    user = make_user()
    for codename in ("approve_request_extension", "access_all_organizations"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return type(user).objects.get(pk=user.pk)


def test_twenty_working_days_across_national_day_with_adjusted_saturday():
    # 2020: 10-01..10-08 off, Saturday 10-10 worked. Counted by hand: 10-09 is day 1,
    # 10-10 day 2, then five-day weeks to 11-04 (day 20).
    request = make_request(received_on=D(2020, 9, 30))
    assert request.due_on == D(2020, 11, 4)
    assert request.state == RequestState.RECEIVED
    assert len(request.tracking_number) == 15


def test_receipt_date_follows_article_31():
    from django.utils import timezone

    moment = timezone.make_aware(datetime.datetime(2021, 3, 1, 10))
    assert receipt_date(channel=ReceiptChannel.IN_PERSON, submitted_at=moment) == D(2021, 3, 1)
    assert receipt_date(
        channel=ReceiptChannel.MAIL, submitted_at=moment, signed_for_on=D(2021, 3, 4)
    ) == D(2021, 3, 4)
    # filed online during the National Day holiday: confirmed on the first working day after it
    holiday = timezone.make_aware(datetime.datetime(2020, 10, 3, 22))
    assert receipt_date(channel=ReceiptChannel.ONLINE, submitted_at=holiday) == D(2020, 10, 9)
    assert receipt_date(channel=ReceiptChannel.IN_PERSON, submitted_at=holiday) == D(2020, 10, 3)
    with pytest.raises(RequestError, match="签收日期"):
        receipt_date(channel=ReceiptChannel.MAIL, submitted_at=moment)


def test_mail_request_counts_from_the_day_signed_for():
    request = register_request(
        actor=make_request_handler(),
        organization=make_organization(),
        channel=ReceiptChannel.MAIL,
        fields=applicant_fields(),
        submitted_on=D(2020, 9, 25),
        signed_for_on=D(2020, 9, 30),
    )
    assert request.received_on == D(2020, 9, 30)
    assert request.due_on == D(2020, 11, 4)


def test_correction_across_spring_festival_restarts_the_period_and_extension_adds_20():
    clerk = make_request_handler()
    # 2021 春节: 02-11..02-17 off; Sunday 02-07 and Saturday 02-20 worked.
    request = make_request(received_on=D(2021, 2, 1), actor=clerk)
    # 7 working days after 02-01: 02-02..02-05, Sun 02-07, 02-08, 02-09.
    with pytest.raises(RequestError, match="7个工作日"):
        request_correction(
            request=request,
            actor=clerk,
            notice="请说明所需信息的年份",
            correction_due_on=D(2021, 3, 1),
            today=D(2021, 2, 10),
        )
    request = request_correction(
        request=request,
        actor=clerk,
        notice="请说明所需信息的年份",
        correction_due_on=D(2021, 3, 1),
        today=D(2021, 2, 9),
    )
    assert request.state == RequestState.CORRECTION
    assert request.due_on is None
    request = receive_correction(request=request, actor=clerk, received_on=D(2021, 2, 19))
    # From 02-19: Sat 02-20 is day 1, then weeks to Thu 03-18 (day 20).
    assert request.due_on == D(2021, 3, 18)
    request = extend_request(
        request=request,
        actor=clerk,
        approver=approver(),
        days=20,
        reason="需要调取档案",
        today=D(2021, 3, 10),
    )
    # 20 more: 03-19, 03-22..04-02, 清明 04-03..04-05 off, 04-06..04-16.
    assert request.due_on == D(2021, 4, 16)
    assert request.state == RequestState.EXTENDED
    with pytest.raises(RequestError, match="只有办理中且未延期"):
        extend_request(
            request=request, actor=clerk, approver=approver(), days=1, reason="再延", today=None
        )
    actions = list(
        AuditEntry.objects.filter(object_id=str(request.pk)).values_list("action", flat=True)
    )
    assert actions == [
        "request_extend",
        "request_correction_received",
        "request_correction",
        "request_register",
    ]
    assert request.events.count() == 4


def test_consultation_days_do_not_count():
    clerk = make_request_handler()
    request = make_request(received_on=D(2020, 9, 30), actor=clerk)
    request = start_consultation(request=request, actor=clerk, started_on=D(2020, 10, 9))
    assert request.state == RequestState.CONSULTATION and request.due_on is None
    request = end_consultation(request=request, actor=clerk, ended_on=D(2020, 10, 16))
    # 10-10 (调休上班) and 10-12..10-16: 6 working days added to 11-04.
    assert request.paused_working_days == 6
    assert request.due_on == D(2020, 11, 12)
    assert request.state == RequestState.RECEIVED


def test_extension_refused_without_reason_approver_or_over_twenty_days():
    clerk = make_request_handler()
    request = make_request(received_on=D(2020, 9, 30), actor=clerk)
    with pytest.raises(RequestError, match="1至20"):
        extend_request(
            request=request, actor=clerk, approver=approver(), days=21, reason="x", today=None
        )
    with pytest.raises(RequestError, match="理由"):
        extend_request(
            request=request, actor=clerk, approver=approver(), days=5, reason=" ", today=None
        )
    with pytest.raises(RequestError, match="批准"):
        extend_request(
            request=request, actor=clerk, approver=make_user(), days=5, reason="x", today=None
        )
    with pytest.raises(RequestError, match="届满"):
        extend_request(
            request=request,
            actor=clerk,
            approver=approver(),
            days=5,
            reason="x",
            today=D(2020, 11, 5),
        )
    request.refresh_from_db()
    assert request.extension_days == 0 and request.state == RequestState.RECEIVED


def test_answer_without_reply_type_is_refused_and_nothing_saved():
    clerk = make_request_handler()
    request = make_request(received_on=D(2020, 9, 30), actor=clerk)
    with pytest.raises(RequestError, match="答复类型"):
        answer_request(request=request, actor=clerk, reply_type="")
    with pytest.raises(RequestError, match="具体情形"):
        answer_request(request=request, actor=clerk, reply_type=ReplyType.REFUSED)
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED and request.reply_letter == ""
    assert not AuditEntry.objects.filter(action="request_answer").exists()


def test_answer_generates_the_letter_from_the_template_and_close():
    clerk = make_request_handler()
    request = make_request(received_on=D(2020, 9, 30), actor=clerk)
    request = answer_request(
        request=request,
        actor=clerk,
        reply_type=ReplyType.REFUSED,
        reply_reason=ReplyReason.REFUSED_STATE_SECRET,
        replied_on=D(2020, 10, 20),
    )
    assert request.state == RequestState.ANSWERED
    assert "属于国家秘密" in request.reply_letter and "张三" in request.reply_letter
    assert AuditEntry.objects.filter(action="request_answer", reason__contains="国家秘密").exists()
    request = close_request(request=request, actor=clerk)
    assert request.state == RequestState.CLOSED


def test_applicant_who_does_not_supplement_is_closed_as_overdue():
    from django.utils import timezone

    clerk = make_request_handler()
    request = make_request(received_on=D(2020, 9, 30), actor=clerk)
    request_correction(
        request=request,
        actor=clerk,
        notice="请补充",
        correction_due_on=D(2020, 10, 20),
        today=D(2020, 10, 9),
    )
    assert (
        close_overdue_corrections(now=timezone.make_aware(datetime.datetime(2020, 10, 20, 23))) == 0
    )
    assert (
        close_overdue_corrections(now=timezone.make_aware(datetime.datetime(2020, 10, 21, 8))) == 1
    )
    request.refresh_from_db()
    assert request.state == RequestState.CLOSED
    assert (request.reply_type, request.reply_reason) == (
        ReplyType.OTHER,
        ReplyReason.OTHER_NO_CORRECTION,
    )
    assert request.replied_on == D(2020, 10, 21)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"description": "  "}, "description"),
        (
            {
                "applicant_type": ApplicantType.ORGANIZATION,
                "organization_kind": OrganizationKind.BUSINESS,
                "organization_code": "91350100M000100Y44",
            },
            "organization_code",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(fields, field):
    with pytest.raises(ValidationError) as info:
        submit_online_request(organization=make_organization(), fields=applicant_fields(**fields))
    assert field in info.value.message_dict
    assert not InformationRequest.objects.exists()
    assert not RequestEvent.objects.exists()
    assert not AuditEntry.objects.exists()


def test_lookup_needs_the_matching_phone():
    request = submit_online_request(organization=make_organization(), fields=applicant_fields())
    assert lookup_request(tracking_number=request.tracking_number, phone="139 1234 5678") == request
    assert lookup_request(tracking_number=request.tracking_number.lower(), phone="13912345678")
    assert lookup_request(tracking_number=request.tracking_number, phone="+86 139-1234-5678")
    assert lookup_request(tracking_number=request.tracking_number, phone="13912345679") is None
    assert lookup_request(tracking_number=request.tracking_number, phone="3912345678") is None
    assert lookup_request(tracking_number=request.tracking_number, phone="") is None
    assert lookup_request(tracking_number="2026-AAAAAAAAAA", phone="13912345678") is None


def test_closed_requests_are_anonymized_after_the_retention_period(settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    settings.REQUEST_RETENTION_DAYS = 365
    clerk = make_request_handler()
    pdf = SimpleUploadedFile("id.pdf", tiny_pdf())
    request = register_request(
        actor=clerk,
        organization=make_organization(),
        channel=ReceiptChannel.IN_PERSON,
        fields=applicant_fields(),
        submitted_on=D(2020, 9, 30),
        attachment=pdf,
    )
    stored = request.attachment.name
    storage = request.attachment.storage
    answer_request(
        request=request, actor=clerk, reply_type=ReplyType.DISCLOSED, replied_on=D(2020, 10, 9)
    )
    open_one = make_request(received_on=D(2020, 9, 30), actor=clerk)
    moment = timezone.make_aware(datetime.datetime(2021, 10, 9, 12))
    assert anonymize_expired_requests(now=moment) == 0
    with_attachment = timezone.make_aware(datetime.datetime(2021, 10, 11, 12))
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert anonymize_expired_requests(now=with_attachment) == 1
    request.refresh_from_db()
    assert request.phone == "" and request.id_number == "" and request.applicant_name == "(已匿名)"
    assert not request.attachment and not storage.exists(stored)
    assert request.reply_type == ReplyType.DISCLOSED and request.applicant_type == "citizen"
    open_one.refresh_from_db()
    assert open_one.phone == "13912345678"
    assert AuditEntry.objects.filter(action="request_anonymize").count() == 1


def test_deadline_uses_admin_overrides_for_years_the_package_does_not_know():
    from disclosure.models import CalendarOverride

    for day in range(1, 8):
        CalendarOverride.objects.create(date=D(2027, 10, day), is_workday=False, note="国庆节")
    CalendarOverride.objects.create(date=D(2027, 10, 9), is_workday=True, note="调休上班")
    # Thu 09-30; 10-08 (1), Sat 10-09 (2), then weeks to Wed 11-03 (20).
    assert make_request(received_on=D(2027, 9, 30)).due_on == D(2027, 11, 3)


def test_extension_approver_must_be_of_the_organization_or_above_it():
    """Issue 13, item 5: a head of 宜兴 cannot approve 无锡's extension."""
    from disclosure.models import StaffProfile
    from disclosure.roles import PUBLISHER
    from tests.factories import make_staff

    wuxi = make_organization(name="无锡市教育局")
    office = make_organization(name="无锡市教育局办公室", parent=wuxi)
    yixing = make_organization(name="宜兴市教育局")
    request = make_request(organization=office, received_on=D(2020, 9, 30))
    stranger = make_staff(PUBLISHER, organization=yixing)
    with pytest.raises(RequestError, match="受理机关"):
        extend_request(
            request=request,
            actor=make_request_handler(),
            approver=stranger,
            days=5,
            reason="x",
            today=None,
        )
    request.refresh_from_db()
    assert request.extension_days == 0 and request.events.count() == 1
    head = make_staff(PUBLISHER, organization=wuxi)
    assert StaffProfile.objects.get(user=head).organization == wuxi
    extend_request(
        request=request,
        actor=make_request_handler(),
        approver=head,
        days=5,
        reason="x",
        today=D(2020, 10, 9),
    )
