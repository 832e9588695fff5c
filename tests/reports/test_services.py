import datetime

import pytest
from django.contrib.auth.models import Permission

from disclosure.choices import DisclosureMethod, NormativeKind, RecordStatus
from disclosure.models import AuditEntry, Category, DisclosureRecord, Genre
from disclosure.roles import PUBLISHER, REVIEWER
from disclosure.selectors import public_records
from disclosure.workflow import (
    FourEyesViolation,
    approve_record,
    publish_record,
    redraft_record,
    reject_record,
    withdraw_record,
)
from reports.consistency import check_annual_report
from reports.models import AnnualReport
from reports.services import (
    AnnualReportError,
    annual_report_reminders,
    record_annual_report_edit,
    refresh_annual_report,
    submit_annual_report,
)
from reports.xlsx import annual_report_xlsx
from tests.factories import (
    make_organization,
    make_published_record,
    make_staff,
    make_user,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def publisher():
    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="publish_annualreport"))
    return type(user).objects.get(pk=user.pk)


def approve(record, reviewer):
    return approve_record(
        record=record,
        actor=reviewer,
        confidentiality_reviewed=True,
        disclosure_method=DisclosureMethod.PROACTIVE,
    )


def test_a_reviewer_who_edited_the_report_text_cannot_approve_it(vocabulary, year_of_requests):
    """四眼原则 over the report too: B writes the overview, A only submits; B may not approve."""
    bureau = year_of_requests
    report = AnnualReport.objects.create(organization=bureau, year=2023, overview="初稿")
    report = refresh_annual_report(report=report, actor=None)
    writer = make_staff(REVIEWER, organization=bureau)
    report.overview = "改写后的总体情况……"
    report.save()
    record_annual_report_edit(report=report, actor=writer, fields=["overview"])
    compiler = make_staff(REVIEWER, organization=bureau)
    record = submit_annual_report(report=report, actor=compiler).record
    with pytest.raises(FourEyesViolation):
        approve(record, writer)
    approve(record, make_staff(REVIEWER, organization=bureau))


def test_totals_that_do_not_add_up_block_submission(vocabulary, year_of_requests):
    report = AnnualReport.objects.create(organization=year_of_requests, year=2023)
    report = refresh_annual_report(report=report, actor=None)
    assert check_annual_report(report) == []
    report.review_upheld = 2
    report.review_total = 1
    report.table_three["new"][0] += 1
    report.save()
    previous = AnnualReport.objects.create(
        organization=year_of_requests, year=2022, table_three={"carried_out": [0] * 7}
    )
    problems = check_annual_report(report)
    text = "\n".join(problems)
    assert "本年新收(4)+上年结转(1)=5,不等于（七）总计(3)+结转下年度(1)=4" in text
    assert "「一、本年新收政府信息公开申请数量」行:总计(8)不等于各类申请人之和(9)" in text
    assert "行政复议:总计(1)不等于维持、纠正、其他结果、尚未审结之和(2)" in text
    assert "与2022年度报告的「结转下年度继续办理」(0)不一致" in text
    with pytest.raises(AnnualReportError) as info:
        submit_annual_report(
            report=report, actor=make_staff(REVIEWER, organization=year_of_requests)
        )
    assert info.value.problems == problems
    report.refresh_from_db()
    assert report.status == "draft" and report.record is None
    assert report.get_status_display() == "编制中"
    previous.delete()


def test_report_goes_through_review_and_publication_to_the_public_page(
    client, vocabulary, year_of_requests
):
    bureau = year_of_requests
    normative = {"normative_kind": NormativeKind.NORMATIVE}
    make_published_record(organization=bureau, issued_on=D(2023, 2, 1), **normative)
    make_published_record(
        organization=bureau, issued_on=D(2019, 2, 1), repealed_on=D(2023, 6, 1), **normative
    )
    make_published_record(
        organization=bureau, issued_on=D(2020, 2, 1), valid_until=D(2025, 1, 1), **normative
    )
    make_published_record(organization=bureau, issued_on=D(2024, 2, 1), **normative)
    make_published_record(
        organization=bureau, issued_on=D(2023, 3, 1), normative_kind=NormativeKind.RULE
    )
    # a record filed under the genre 规范性文件 without the attribute is not counted
    make_published_record(
        organization=bureau, issued_on=D(2023, 4, 1), genre=Genre.objects.create(name="规范性文件")
    )
    report = AnnualReport.objects.create(organization=bureau, year=2023, overview="总体情况……")
    report = refresh_annual_report(report=report, actor=None)
    assert (report.normative_issued, report.normative_repealed, report.normative_valid) == (1, 1, 2)
    assert (report.rules_issued, report.rules_repealed, report.rules_valid) == (1, 0, 1)
    compiler = make_staff(REVIEWER, organization=bureau)
    with pytest.raises(AnnualReportError, match="权限"):
        submit_annual_report(report=report, actor=make_staff(PUBLISHER, organization=bureau))

    report = submit_annual_report(report=report, actor=compiler)
    record = report.record
    assert record.status == RecordStatus.SUBMITTED and record.created_by == compiler
    assert record.category == Category.objects.get(slug="annual-reports")
    assert "结转下年度继续办理" in record.body
    assert report.get_status_display() == "待审核"
    assert not public_records().filter(pk=record.pk).exists()
    assert AuditEntry.objects.filter(action="annual_report_submit", actor=compiler).exists()
    assert AuditEntry.objects.filter(action="submit", object_id=str(record.pk)).exists()
    with pytest.raises(AnnualReportError, match="待审核"):
        refresh_annual_report(report=report, actor=None)
    page = client.get(report.get_absolute_url())
    assert page.status_code == 404

    with pytest.raises(FourEyesViolation):
        approve(record, compiler)
    approve(record, make_staff(REVIEWER, organization=bureau))
    report.refresh_from_db()
    assert report.get_status_display() == "待发布"
    publish_record(record=record, actor=make_staff(PUBLISHER, organization=bureau))

    report.refresh_from_db()
    assert report.status == "published" and report.get_status_display() == "已发布"
    assert report.record.index_number and public_records().filter(pk=record.pk).exists()
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200 and "结转下年度继续办理" in page.content.decode()
    assert report.title in client.get("/annual-reports/").content.decode()
    with pytest.raises(AnnualReportError, match="已发布"):
        refresh_annual_report(report=report, actor=None)
    with pytest.raises(AnnualReportError, match="已发布"):
        submit_annual_report(report=report, actor=compiler)


def test_resubmitting_after_a_rejection_updates_the_same_record(vocabulary, year_of_requests):
    bureau = year_of_requests
    report = refresh_annual_report(
        report=AnnualReport.objects.create(organization=bureau, year=2023, overview="初稿"),
        actor=None,
    )
    compiler = make_staff(REVIEWER, organization=bureau)
    reviewer = make_staff(REVIEWER, organization=bureau)
    record = submit_annual_report(report=report, actor=compiler).record
    reject_record(record=record, actor=reviewer, reason="总体情况太简略")
    report.refresh_from_db()
    assert report.get_status_display() == "编制中"
    report.overview = "总体情况(修改稿)"
    report.save()
    report = submit_annual_report(
        report=refresh_annual_report(report=report, actor=compiler), actor=compiler
    )
    assert report.record.pk == record.pk and report.record.summary == "总体情况(修改稿)"
    assert report.record.status == RecordStatus.SUBMITTED
    assert DisclosureRecord.objects.filter(title=report.title).count() == 1
    # withdrawn after publication, redrafted and corrected: still the one record
    approve(record, reviewer)
    publisher_ = make_staff(PUBLISHER, organization=bureau)
    publish_record(record=record, actor=publisher_)
    withdraw_record(record=record, actor=publisher_, reason="数字有误")
    redraft_record(record=record, actor=compiler)
    report = submit_annual_report(report=report, actor=compiler)
    assert report.record.pk == record.pk and report.get_status_display() == "待审核"
    assert DisclosureRecord.objects.filter(title=report.title).count() == 1


def test_xlsx_contains_the_tables(year_of_requests):
    from io import BytesIO

    from openpyxl import load_workbook

    report = refresh_annual_report(
        report=AnnualReport.objects.create(organization=year_of_requests, year=2023), actor=None
    )
    sheet = load_workbook(BytesIO(annual_report_xlsx(report))).active
    rows = {row[0]: row[3:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["一、本年新收政府信息公开申请数量"][:7] == (3, 1, 1, 1, 1, 1, 8)
    assert rows["四、结转下年度继续办理"][:7] == (1, 1, 0, 0, 0, 0, 2)


def test_reminders_before_31_january(mailoutbox=None):
    bureau = make_organization(name="提醒测试局")
    user = publisher()
    user.email = "office@example.com"
    user.save()
    assert annual_report_reminders(today=D(2024, 1, 3)) == []
    messages = annual_report_reminders(today=D(2024, 1, 25))
    assert any("提醒测试局2023年" in m and "还剩6天" in m for m in messages)
    from django.core import mail

    assert mail.outbox and "office@example.com" in mail.outbox[0].to
    AnnualReport.objects.create(
        organization=bureau, year=2023, record=make_published_record(organization=bureau)
    )
    assert not any("提醒测试局" in m for m in annual_report_reminders(today=D(2024, 1, 29)))


def test_refused_submission_stays_in_the_audit_log(vocabulary, year_of_requests):
    from disclosure.models import AuditEntry

    report = refresh_annual_report(
        report=AnnualReport.objects.create(organization=year_of_requests, year=2023), actor=None
    )
    outsider = make_staff(
        REVIEWER, organization=make_organization(name="另一个局", code="123456789")
    )
    with pytest.raises(AnnualReportError):
        submit_annual_report(report=report, actor=outsider)
    report.refresh_from_db()
    assert report.record is None
    entry = AuditEntry.objects.filter(action="permission_denied").latest("id")
    assert entry.actor_id == outsider.pk
    assert (
        entry.object_id == str(report.pk) and entry.details["attempted"] == "annual_report_submit"
    )
