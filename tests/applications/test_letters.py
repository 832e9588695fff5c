"""The named notices (applications/letters.py) and their printable pages in the admin."""

import datetime

import pytest
from django.urls import reverse

from applications.choices import NoticeKind
from applications.models import ReplyTemplate
from applications.services import (
    answer_request,
    extend_request,
    notify_fee,
    request_correction,
    start_consultation,
)
from disclosure.roles import PUBLISHER, REVIEWER
from tests.factories import make_organization, make_request, make_staff, make_user

D = datetime.date
pytestmark = pytest.mark.django_db


def notice_url(request, kind):
    return reverse("admin:applications_informationrequest_notice", args=[request.pk, kind])


@pytest.fixture
def handled():
    """A request of 无锡 taken through 补正, 征求意见, 延期 and a fee notice by its reviewer."""
    org = make_organization(name="无锡市教育局", short_name="锡教")
    reviewer = make_staff(REVIEWER, organization=org)
    approver = make_staff(PUBLISHER, organization=org)
    request = make_request(organization=org, received_on=D(2020, 9, 30))
    request = request_correction(
        request=request,
        actor=reviewer,
        notice="请写明所需文件的年份",
        correction_due_on=D(2020, 10, 30),
        today=D(2020, 10, 9),
    )
    from applications.services import receive_correction

    request = receive_correction(request=request, actor=reviewer, received_on=D(2020, 10, 12))
    request = extend_request(
        request=request,
        actor=reviewer,
        approver=approver,
        days=15,
        reason="需调取档案",
        today=D(2020, 10, 20),
    )
    request = start_consultation(request=request, actor=reviewer, started_on=D(2020, 10, 21))
    return org, reviewer, request


def test_each_notice_is_filled_from_the_request_and_printable(client, handled):
    org, reviewer, request = handled
    client.force_login(reviewer)
    change = client.get(reverse("admin:applications_informationrequest_change", args=[request.pk]))
    page = change.content.decode()
    for label in ("打印补正通知书", "打印延期答复告知书", "打印第三方意见征询函"):
        assert label in page
    correction = client.get(notice_url(request, NoticeKind.CORRECTION)).content.decode()
    assert "<h1>补正通知书</h1>" in correction and "请写明所需文件的年份" in correction
    assert "2020年10月30日" in correction and "第三十条" in correction
    assert request.tracking_number in correction and "锡教依申请〔2020〕" in correction
    extension = client.get(notice_url(request, NoticeKind.EXTENSION)).content.decode()
    assert "延长15个工作日" in extension and "第三十三条" in extension
    consultation = client.get(notice_url(request, NoticeKind.CONSULTATION)).content.decode()
    assert "第三十二条" in consultation
    assert client.get(notice_url(request, NoticeKind.FEE)).status_code == 404


def test_an_edited_template_is_used_and_the_answer_becomes_its_named_notice(client, handled):
    from applications.services import end_consultation

    org, reviewer, request = handled
    ReplyTemplate.objects.create(
        kind=NoticeKind.CORRECTION, body="{applicant}:请于{correction_due_on}前补正。本局自定义"
    )
    ReplyTemplate.objects.create(
        kind=NoticeKind.REFUSAL, reply_type="refused", body="不予公开:{reason}。{organization}"
    )
    request = end_consultation(request=request, actor=reviewer, ended_on=D(2020, 10, 26))
    request = answer_request(
        request=request,
        actor=reviewer,
        reply_type="refused",
        reply_reason="refused_third_party",
        replied_on=D(2020, 11, 2),
    )
    client.force_login(reviewer)
    correction = client.get(notice_url(request, NoticeKind.CORRECTION)).content.decode()
    assert "本局自定义" in correction and "张三" in correction
    refusal = client.get(notice_url(request, NoticeKind.REFUSAL)).content.decode()
    assert "<h1>不予公开告知书</h1>" in refusal and "保护第三方合法权益" in refusal
    assert client.get(notice_url(request, NoticeKind.DISCLOSURE)).status_code == 404


def test_the_fee_notice_states_the_amount_and_the_payment_date(client):
    org = make_organization()
    reviewer = make_staff(REVIEWER, organization=org)
    request = make_request(organization=org, received_on=D(2020, 9, 30))
    notify_fee(
        request=request,
        actor=reviewer,
        basis="by_volume",
        quantity=120,
        notified_on=D(2020, 10, 12),
    )
    client.force_login(reviewer)
    html = client.get(notice_url(request, NoticeKind.FEE)).content.decode()
    assert "<h1>收费通知书</h1>" in html and "1100.00元" in html and "按量计收" in html
    assert "国办函〔2020〕109号" in html and "2020年11月09日" in html


def test_staff_of_another_organization_cannot_print_a_notice(client, handled):
    _, _, request = handled
    client.force_login(make_staff(REVIEWER, organization=make_organization(name="宜兴市教育局")))
    assert client.get(notice_url(request, NoticeKind.CORRECTION)).status_code == 404
    client.force_login(make_user(is_staff=True))  # no permission on requests at all
    assert client.get(notice_url(request, NoticeKind.CORRECTION)).status_code in (403, 404)
