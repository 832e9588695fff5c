import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import call_command

from applications.models import InformationRequest, ReplyReason, RequestState
from applications.services import answer_request, request_correction
from disclosure.models import AuditEntry
from reports.models import AnnualReport
from tests.factories import (
    make_organization,
    make_published_record,
    make_request,
    make_request_handler,
    make_user,
)

BEIJING = ZoneInfo("Asia/Shanghai")
D = datetime.date
pytestmark = pytest.mark.django_db


def run_command() -> str:
    out = StringIO()
    call_command("run_due_tasks", stdout=out)
    return out.getvalue()


def office_publisher():
    user = make_user(email="office@example.com", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="publish_annualreport"))
    return user


def test_run_due_tasks_closes_anonymizes_and_reminds(mailoutbox, settings):
    settings.REQUEST_RETENTION_DAYS = 1095
    bureau = make_organization(name="定时任务测试局")
    clerk = make_request_handler()
    office_publisher()
    unclear = make_request(organization=bureau, received_on=D(2024, 12, 2), actor=clerk)
    request_correction(
        request=unclear,
        actor=clerk,
        notice="请写明所需信息的名称",
        today=D(2024, 12, 3),
        correction_due_on=D(2024, 12, 10),
    )
    old = make_request(organization=bureau, received_on=D(2021, 3, 1), actor=clerk)
    answer_request(request=old, actor=clerk, reply_type="disclosed", replied_on=D(2021, 3, 10))
    recent = make_request(organization=bureau, received_on=D(2024, 3, 1), actor=clerk)
    answer_request(request=recent, actor=clerk, reply_type="disclosed", replied_on=D(2024, 3, 8))
    done = make_organization(name="已发布报告局")
    AnnualReport.objects.create(
        organization=done, year=2024, record=make_published_record(organization=done)
    )

    with time_machine.travel(datetime.datetime(2025, 1, 25, 2, 0, tzinfo=BEIJING), tick=False):
        out = run_command()
        again = run_command()

    assert "逾期未补正办结 1 件" in out
    assert "申请人信息匿名化 1 件" in out
    assert "年度报告发布提醒 " in out and "年度报告发布提醒 0 条" not in out
    unclear.refresh_from_db()
    assert unclear.state == RequestState.CLOSED
    assert unclear.reply_reason == ReplyReason.OTHER_NO_CORRECTION
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.anonymized_at is not None and old.phone == "" and old.id_number == ""
    assert recent.anonymized_at is None and recent.phone == "13912345678"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["office@example.com"]
    assert "定时任务测试局2024年政府信息公开工作年度报告尚未发布" in mailoutbox[0].body
    assert "还剩6天" in mailoutbox[0].body and "已发布报告局" not in mailoutbox[0].body
    assert AuditEntry.objects.filter(action="request_close", object_id=str(unclear.pk)).exists()
    assert AuditEntry.objects.filter(action="request_anonymize", object_id=str(old.pk)).exists()
    # idempotent: running again the same day closes, erases and mails nothing more
    assert "逾期未补正办结 0 件" in again and "申请人信息匿名化 0 件" in again
    assert "年度报告发布提醒 0 条" in again


def test_no_reminder_outside_the_reminder_days(mailoutbox):
    office_publisher()
    make_organization()
    with time_machine.travel(datetime.datetime(2025, 1, 26, 9, 0, tzinfo=BEIJING), tick=False):
        out = run_command()
    assert "年度报告发布提醒 0 条" in out and mailoutbox == []
    assert InformationRequest.objects.count() == 0
