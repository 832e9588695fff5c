"""The annual report (Article 49-50) in the national format of 国办公开办函〔2021〕30号.

Table three (requests) is computed entirely from `InformationRequest` rows of the organization
and its departments:

- 本年新收: requests received (Article 31 date) in the year;
- 上年结转: requests received before the year and not answered before it;
- 办理结果 （一）…（六）: requests answered or closed (reply date) in the year, by reply type and
  sub-reason; （七）总计 their sum;
- 结转下年度: requests received up to 31 December and not answered by then.

Table two's （一） counts published records by their 规章 / 行政规范性文件 attribute
(`DisclosureRecord.normative_kind`): 本年制发 by 发文日期 in the year, 本年废止 by 废止日期 in
the year, 现行有效 as of 31 December.
Everything else is entered by staff. `check_annual_report` lists the totals that do not add up;
submission for review is refused while the list is not empty.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from applications.models import (
    ApplicantType,
    InformationRequest,
    OrganizationKind,
    ReplyReason,
    ReplyType,
)
from disclosure.actors import Actor
from disclosure.audit import audit_object_type, record_event
from disclosure.choices import NormativeKind, RecordStatus, ValidityStatus
from disclosure.models import (
    AuditAction,
    AuditEntry,
    Category,
    DisclosureRecord,
    Genre,
    Organization,
)
from reports.layout import report_tables, statistics_period
from reports.models import AnnualReport, AnnualReportStatus

COLUMNS: list[tuple[str, str]] = [
    ("natural", "自然人"),
    (OrganizationKind.BUSINESS, "商业企业"),
    (OrganizationKind.RESEARCH, "科研机构"),
    (OrganizationKind.NONPROFIT, "社会公益组织"),
    (OrganizationKind.LEGAL, "法律服务机构"),
    (OrganizationKind.OTHER, "其他"),
    ("total", "总计"),
]
REQUESTER_COLUMNS = len(COLUMNS) - 1

_NUMERALS = "一二三四五六七八"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    level: int  # 0: 一、二、三、四; 1: （一）…; 2: numbered sub-reasons


def _rows() -> list[Row]:
    rows = [
        Row("new", "一、本年新收政府信息公开申请数量", 0),
        Row("carried_in", "二、上年结转政府信息公开申请数量", 0),
        Row("results", "三、本年度办理结果", 0),
        Row(ReplyType.DISCLOSED, "（一）予以公开", 1),
        Row(ReplyType.PARTIAL, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1),
    ]
    for i, reply_type in enumerate(
        [ReplyType.REFUSED, ReplyType.UNABLE, ReplyType.NOT_PROCESSED, ReplyType.OTHER], start=2
    ):
        rows.append(Row(reply_type, f"（{_NUMERALS[i]}）{reply_type.label}", 1))
        reasons = [r for r in ReplyReason if r.value.startswith(reply_type.value + "_")]
        for n, reason in enumerate(reasons, start=1):
            rows.append(Row(reason.value, f"{n}.{reason.label}", 2))
    rows.append(Row("total", "（七）总计", 1))
    rows.append(Row("carried_out", "四、结转下年度继续办理", 0))
    return rows


ROWS = _rows()
ROW_KEYS = [row.key for row in ROWS if row.key != "results"]
SUMMED_TYPES = [ReplyType.REFUSED, ReplyType.UNABLE, ReplyType.NOT_PROCESSED, ReplyType.OTHER]


def _column_of(applicant_type: str, organization_kind: str) -> int:
    if applicant_type == ApplicantType.CITIZEN:
        return 0
    keys = [key for key, _ in COLUMNS]
    return keys.index(organization_kind or OrganizationKind.OTHER)


def compute_table_three(*, organization: Organization, year: int) -> dict[str, list[int]]:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    table = {key: [0] * len(COLUMNS) for key in ROW_KEYS}
    requests = InformationRequest.objects.filter(organization_id__in=organization.subtree_ids())

    def tally(row: str, queryset: QuerySet[InformationRequest]) -> None:
        counts = queryset.values("applicant_type", "organization_kind").annotate(n=Count("id"))
        for item in counts.order_by():
            table[row][_column_of(item["applicant_type"], item["organization_kind"])] += item["n"]

    tally("new", requests.filter(received_on__range=(start, end)))
    tally(
        "carried_in",
        requests.filter(received_on__lt=start).filter(
            Q(replied_on__isnull=True) | Q(replied_on__gte=start)
        ),
    )
    tally(
        "carried_out",
        requests.filter(received_on__lte=end).filter(
            Q(replied_on__isnull=True) | Q(replied_on__gt=end)
        ),
    )
    answered = requests.filter(replied_on__range=(start, end))
    counts = answered.values("applicant_type", "organization_kind", "reply_type", "reply_reason")
    for item in counts.annotate(n=Count("id")).order_by():
        column = _column_of(item["applicant_type"], item["organization_kind"])
        row = item["reply_reason"] or item["reply_type"]
        table[row][column] += item["n"]
    for reply_type in SUMMED_TYPES:
        subrows = [r.key for r in ROWS if r.key.startswith(reply_type.value + "_")]
        table[reply_type] = [sum(table[r][c] for r in subrows) for c in range(len(COLUMNS))]
    results = [ReplyType.DISCLOSED, ReplyType.PARTIAL, *SUMMED_TYPES]
    table["total"] = [sum(table[r][c] for r in results) for c in range(len(COLUMNS))]
    for values in table.values():
        values[-1] = sum(values[:REQUESTER_COLUMNS])
    return {str(key): values for key, values in table.items()}


def compute_normative_counts(*, organization: Organization, year: int) -> dict[str, int]:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    records = DisclosureRecord.objects.filter(
        organization_id__in=organization.subtree_ids(), status=RecordStatus.PUBLISHED
    )
    counts: dict[str, int] = {}
    for prefix, kind in (("rules", NormativeKind.RULE), ("normative", NormativeKind.NORMATIVE)):
        of_kind = records.filter(normative_kind=kind)
        counts[f"{prefix}_issued"] = of_kind.filter(issued_on__range=(start, end)).count()
        counts[f"{prefix}_repealed"] = of_kind.filter(repealed_on__range=(start, end)).count()
        counts[f"{prefix}_valid"] = (
            of_kind.filter(issued_on__lte=end).with_validity(ValidityStatus.VALID, today=end)
        ).count()
    return counts


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


LITIGATION_GROUPS = [
    ("review", "行政复议"),
    ("suit", "行政诉讼·未经复议直接起诉"),
    ("suit_after_review", "行政诉讼·复议后起诉"),
]
LITIGATION_PARTS = [
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
]


def check_annual_report(report: AnnualReport) -> list[str]:
    """Every total of the national format that does not add up, as a message staff can act on."""
    problems: list[str] = []
    table = report.table_three
    if not table:
        return ["表三尚未统计,请先更新统计数据。"]
    labels = {row.key: row.label for row in ROWS}
    column_labels = [label for _, label in COLUMNS]
    for c, column in enumerate(column_labels):
        left = table["new"][c] + table["carried_in"][c]
        right = table["total"][c] + table["carried_out"][c]
        if left != right:
            problems.append(
                f"表三「{column}」列:本年新收({table['new'][c]})+上年结转({table['carried_in'][c]})"
                f"={left},不等于（七）总计({table['total'][c]})+结转下年度"
                f"({table['carried_out'][c]})={right}。"
            )
        parts = sum(table[r][c] for r in [ReplyType.DISCLOSED, ReplyType.PARTIAL, *SUMMED_TYPES])
        if parts != table["total"][c]:
            problems.append(
                f"表三「{column}」列:（七）总计({table['total'][c]})不等于（一）至（六）之和({parts})。"
            )
        for reply_type in SUMMED_TYPES:
            subrows = [r.key for r in ROWS if r.key.startswith(reply_type.value + "_")]
            subtotal = sum(table[r][c] for r in subrows)
            if subtotal != table[reply_type][c]:
                problems.append(
                    f"表三「{column}」列:{labels[reply_type]}({table[reply_type][c]})"
                    f"不等于其各项之和({subtotal})。"
                )
    for key in ROW_KEYS:
        values = table[key]
        if sum(values[:REQUESTER_COLUMNS]) != values[-1]:
            problems.append(
                f"表三「{labels[key]}」行:总计({values[-1]})不等于各类申请人之和"
                f"({sum(values[:REQUESTER_COLUMNS])})。"
            )
    for group, group_label in LITIGATION_GROUPS:
        parts = [getattr(report, f"{group}_{part}") for part, _ in LITIGATION_PARTS[:-1]]
        total = getattr(report, f"{group}_total")
        if sum(parts) != total:
            problems.append(
                f"表四{group_label}:总计({total})不等于维持、纠正、其他结果、尚未审结之和({sum(parts)})。"
            )
    previous = (
        AnnualReport.objects.filter(organization=report.organization, year=report.year - 1)
        .exclude(table_three={})
        .first()
    )
    if previous is not None and previous.table_three.get("carried_out") != table["carried_in"]:
        problems.append(
            f"表三「上年结转」({table['carried_in'][-1]})与{report.year - 1}年度报告的"
            f"「结转下年度继续办理」({previous.table_three['carried_out'][-1]})不一致。"
        )
    return problems


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
    from disclosure.services.editing import update_record
    from disclosure.services.records import create_record
    from disclosure.workflow import WorkflowError, submit_record

    if not actor.has_perm("reports.change_annualreport"):
        raise AnnualReportError(["您没有编制年度报告的权限。"])
    try:
        with transaction.atomic():
            report = AnnualReport.objects.select_for_update().get(pk=report.pk)
            if report.status != AnnualReportStatus.DRAFT:
                raise AnnualReportError(
                    [f"该年度报告{report.get_status_display()},不能再次提交审核。"]
                )
            problems = check_annual_report(report)
            if problems:
                raise AnnualReportError(problems)
            category = (
                Category.objects.filter(slug="annual-reports").first()
                or Category.objects.filter(national_column="annual_report").first()
            )
            if category is None:
                raise AnnualReportError(["没有「政府信息公开工作年度报告」栏目,请先在目录中建立。"])
            fields = {
                "title": report.title,
                "organization": report.organization,
                "category": category,
                "genre": Genre.objects.filter(name="报告").first(),
                "issued_on": timezone.localdate(),
                "summary": report.overview[:500],
                "body": render_to_string(
                    "disclosure/annual_report_body.html", report_context(report)
                ),
            }
            keywords = ("年度报告", "政府信息公开")
            if report.record is None:
                record = create_record(actor=actor, keywords=keywords, **fields)
                report.record = record
                report.save(update_fields=["record", "updated_at"])
            else:
                record = report.record
                for name, value in fields.items():
                    setattr(record, name, value)
                record = update_record(
                    record=record, actor=actor, expected_version=record.version, keywords=keywords
                )
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
