"""The totals of the national format that must add up, checked before a report is submitted.

`check_annual_report` lists every mismatch as a message staff can act on; submission for review
is refused while the list is not empty (`reports.services.submit_annual_report`).
"""

from __future__ import annotations

from applications.choices import ReplyType
from reports.models import AnnualReport
from reports.statistics import COLUMNS, REQUESTER_COLUMNS, ROW_KEYS, ROWS, SUMMED_TYPES

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
    table = report.table_three
    if not table:
        return ["表三尚未统计,请先更新统计数据。"]
    return [
        *_column_problems(table),
        *_row_problems(table),
        *_litigation_problems(report),
        *_carry_over_problems(report),
    ]


def _column_problems(table: dict[str, list[int]]) -> list[str]:
    """Table three, each applicant column: received = answered + carried over, the results add
    up to （七）总计, and each reply type to its sub-reasons."""
    problems = []
    labels = {row.key: row.label for row in ROWS}
    for c, (_, column) in enumerate(COLUMNS):
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
    return problems


def _row_problems(table: dict[str, list[int]]) -> list[str]:
    """Table three, each row: 总计 is the sum of the applicant columns."""
    labels = {row.key: row.label for row in ROWS}
    return [
        f"表三「{labels[key]}」行:总计({table[key][-1]})不等于各类申请人之和"
        f"({sum(table[key][:REQUESTER_COLUMNS])})。"
        for key in ROW_KEYS
        if sum(table[key][:REQUESTER_COLUMNS]) != table[key][-1]
    ]


def _litigation_problems(report: AnnualReport) -> list[str]:
    """Table four: each group's 总计 is the sum of its results and the cases still pending."""
    problems = []
    for group, group_label in LITIGATION_GROUPS:
        parts = [getattr(report, f"{group}_{part}") for part, _ in LITIGATION_PARTS[:-1]]
        total = getattr(report, f"{group}_total")
        if sum(parts) != total:
            problems.append(
                f"表四{group_label}:总计({total})不等于维持、纠正、其他结果、尚未审结之和({sum(parts)})。"
            )
    return problems


def _carry_over_problems(report: AnnualReport) -> list[str]:
    """上年结转 is last year's 结转下年度继续办理, when last year's report was computed."""
    previous = (
        AnnualReport.objects.filter(organization=report.organization, year=report.year - 1)
        .exclude(table_three={})
        .first()
    )
    carried_in = report.table_three["carried_in"]
    if previous is None or previous.table_three.get("carried_out") == carried_in:
        return []
    return [
        f"表三「上年结转」({carried_in[-1]})与{report.year - 1}年度报告的"
        f"「结转下年度继续办理」({previous.table_three['carried_out'][-1]})不一致。"
    ]
