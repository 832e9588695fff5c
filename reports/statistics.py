"""What the annual report counts from the data, in the national format of 国办公开办函〔2021〕30号.

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
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from applications.choices import ApplicantType, OrganizationKind, ReplyReason, ReplyType
from applications.models import InformationRequest
from disclosure.choices import NormativeKind, RecordStatus, ValidityStatus
from disclosure.models import DisclosureRecord, Organization

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
