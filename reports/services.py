"""The annual report's writes (Articles 49-50): recompute its numbers, record staff edits, submit
it as a record for review (四眼原则), and remind staff before 31 January.

What it counts is `reports.statistics`; the totals that must add up, `reports.consistency`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from disclosure.actors import Actor
from disclosure.audit import audit_object_type, record_event
from disclosure.choices import RecordStatus
from disclosure.models import (
    AuditAction,
    AuditEntry,
    Category,
    DisclosureRecord,
    Genre,
    Organization,
)
from reports.consistency import check_annual_report
from reports.layout import report_tables, statistics_period
from reports.models import AnnualReport, AnnualReportStatus

# Re-exported: tests/exchange/test_importing.py imports it from here.
from reports.statistics import compute_normative_counts as compute_normative_counts
from reports.statistics import compute_table_three


def refresh_annual_report(*, report: AnnualReport, actor: Actor | None) -> AnnualReport:
    """Recompute the parts that come from the data; a published report is frozen."""
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if report.status != AnnualReportStatus.DRAFT:
            raise AnnualReportError([f"年度报告{report.get_status_display()},统计数据不再更新。"])
        for field, value in compute_normative_counts(
            organization=report.organization, year=report.year
        ).items():
            setattr(report, field, value)
        report.table_three = compute_table_three(organization=report.organization, year=report.year)
        report.computed_at = timezone.now()
        report.save()
        record_event(action=AuditAction.ANNUAL_REPORT_REFRESH, actor=actor, obj=report)
    return report


class AnnualReportError(Exception):
    """The report cannot be published; `problems` lists every mismatch found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("年度报告不能发布:" + ";".join(problems))


def report_context(report: AnnualReport) -> dict[str, Any]:
    return {
        "report": report,
        "tables": report_tables(report),
        "statistics_period": statistics_period(report),
    }


def record_annual_report_edit(
    *, report: AnnualReport, actor: Actor, fields: list[str], ip: str | None = None
) -> None:
    """The office edits a report's text in the admin: audited, so that its editor counts as an
    author of the record the report becomes when it is submitted (四眼原则)."""
    record_event(
        action=AuditAction.EDIT, actor=actor, obj=report, ip=ip, details={"fields": fields}
    )


def _carry_report_editors(
    *, report: AnnualReport, record: DisclosureRecord, submitter: Actor
) -> None:
    """Whoever edited the report's text since its last submission is an author of the record:
    an EDIT entry on the record in their name, so that the workflow's four-eyes check (which
    reads the record's audit log) refuses their approval too."""
    from django.contrib.auth import get_user_model

    entries = AuditEntry.objects.filter(
        object_type=audit_object_type(report), object_id=str(report.pk)
    )
    last_submit = (
        entries.filter(action=AuditAction.ANNUAL_REPORT_SUBMIT)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    edits = entries.filter(action=AuditAction.EDIT, actor__isnull=False)
    if last_submit is not None:
        edits = edits.filter(id__gt=last_submit)
    editor_ids = set(edits.values_list("actor_id", flat=True)) - {submitter.pk}
    for editor in get_user_model().objects.filter(pk__in=editor_ids).order_by("pk"):
        record_event(
            action=AuditAction.EDIT,
            actor=editor,
            obj=record,
            reason="编辑了年度报告的内容(提交审核时记入)",
            details={"annual_report": report.pk},
        )


def submit_annual_report(
    *, report: AnnualReport, actor: Actor, ip: str | None = None
) -> AnnualReport:
    """部门编制,经办公室审核后公开: the compiled report becomes a draft record in the 年度报告
    column, submitted with the workflow's `submit_record`; another person reviews it (四眼原则)
    and a publisher publishes it, like any other record.

    Refused with every mismatch listed while a total does not add up. Submitting again after a
    rejection (or a withdrawal and redraft) updates the same record.
    """
    from disclosure.workflow import WorkflowError, submit_record

    if not actor.has_perm("reports.change_annualreport"):
        raise AnnualReportError(["您没有编制年度报告的权限。"])
    try:
        with transaction.atomic():
            report = AnnualReport.objects.select_for_update().get(pk=report.pk)
            _check_submittable(report)
            record = _write_report_record(report=report, actor=actor)
            _carry_report_editors(report=report, record=record, submitter=actor)
            record = submit_record(record=record, actor=actor, ip=ip)
            record_event(
                action=AuditAction.ANNUAL_REPORT_SUBMIT,
                actor=actor,
                obj=report,
                ip=ip,
                details={"record": record.pk},
            )
    except WorkflowError as exc:
        # The workflow's own refusal entry was rolled back with this transaction: write it here.
        record_event(
            action=AuditAction.PERMISSION_DENIED,
            actor=actor,
            obj=report,
            reason=str(exc),
            ip=ip,
            details={"attempted": "annual_report_submit"},
        )
        raise AnnualReportError([str(exc)]) from exc
    report.record = record
    return report


def _check_submittable(report: AnnualReport) -> None:
    """A draft whose totals add up."""
    if report.status != AnnualReportStatus.DRAFT:
        raise AnnualReportError([f"该年度报告{report.get_status_display()},不能再次提交审核。"])
    problems = check_annual_report(report)
    if problems:
        raise AnnualReportError(problems)


def _annual_report_column() -> Category:
    """The catalogue's 政府信息公开工作年度报告 column, by its slug or its national column."""
    category = (
        Category.objects.filter(slug="annual-reports").first()
        or Category.objects.filter(national_column="annual_report").first()
    )
    if category is None:
        raise AnnualReportError(["没有「政府信息公开工作年度报告」栏目,请先在目录中建立。"])
    return category


def _write_report_record(*, report: AnnualReport, actor: Actor) -> DisclosureRecord:
    """The report as a record of the 年度报告 column, its body rendered from the tables: created
    on the first submission, updated on the next ones."""
    from disclosure.services.editing import update_record
    from disclosure.services.records import create_record

    fields = {
        "title": report.title,
        "organization": report.organization,
        "category": _annual_report_column(),
        "genre": Genre.objects.filter(name="报告").first(),
        "issued_on": timezone.localdate(),
        "summary": report.overview[:500],
        "body": render_to_string("disclosure/annual_report_body.html", report_context(report)),
    }
    keywords = ("年度报告", "政府信息公开")
    if report.record is None:
        record = create_record(actor=actor, keywords=keywords, **fields)
        report.record = record
        report.save(update_fields=["record", "updated_at"])
        return record
    record = report.record
    for name, value in fields.items():
        setattr(record, name, value)
    return update_record(
        record=record, actor=actor, expected_version=record.version, keywords=keywords
    )


def annual_report_reminders(*, today: datetime.date | None = None) -> list[str]:
    """Article 49: each year's report is published by 31 January of the next year.

    On the days of January in settings.ANNUAL_REPORT_REMINDER_DAYS, remind staff who may publish
    reports of every organization with a code (the reporting bodies) whose report for last year is
    not yet published. Scheduled daily (run_due_tasks); returns the reminders sent.
    """
    today = today or timezone.localdate()
    if today.month != 1 or today.day not in settings.ANNUAL_REPORT_REMINDER_DAYS:
        return []
    year = today.year - 1
    published = set(
        AnnualReport.objects.filter(year=year, record__status=RecordStatus.PUBLISHED).values_list(
            "organization_id", flat=True
        )
    )
    messages = [
        f"{org.name}{year}年政府信息公开工作年度报告尚未发布,"
        f"须于{today.year}年1月31日前发布(《条例》第四十九条),还剩{31 - today.day}天。"
        for org in Organization.objects.exclude(code="").order_by("ordering", "name")
        if org.pk not in published
    ]
    if messages:
        from django.contrib.auth import get_user_model

        recipients = list(
            get_user_model()
            .objects.with_perm(
                "reports.publish_annualreport",
                is_active=True,
                # Named: django-axes adds a second backend, which holds no permissions.
                backend="django.contrib.auth.backends.ModelBackend",
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            send_mail(
                f"年度报告发布提醒({year}年度)",
                "\n".join(messages),
                None,
                recipients,
                fail_silently=True,
            )
    return messages
