"""The annual report's tables as the national format lays them out (国办公开办函〔2021〕30号,
《中华人民共和国政府信息公开工作年度报告格式》): one grid per table, rows of cells with their
row and column spans, labels character for character.

The HTML page and the XLSX download are both drawn from these grids, so they cannot drift apart;
tests/reports/golden/ holds the template's labels and layout, independently of this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from applications.choices import ReplyReason, ReplyType
from reports.models import AnnualReport

ARTICLE_20 = "第二十条第（{}）项"
INFO = "信息内容"
DECISIONS = "本年处理决定数量"
APPLICANT_KINDS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
OUTCOMES = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
_NUMERALS = "一二三四五六七"


@dataclass(frozen=True)
class Cell:
    text: str = ""
    header: bool = False
    rowspan: int = 1
    colspan: int = 1
    scope: str = ""  # th: col, colgroup, row, rowgroup


@dataclass(frozen=True)
class PlacedCell:
    """A cell with its place in the grid, its id and the ids of the headers that describe it."""

    cell: Cell
    row: int
    column: int
    id: str
    headers: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    heading: str
    caption: str
    width: int
    head: list[list[Cell]]
    body: list[list[Cell]]
    placed: list[list[PlacedCell]] = field(default_factory=list)

    @property
    def rows(self) -> list[list[Cell]]:
        return self.head + self.body

    @property
    def head_placed(self) -> list[list[PlacedCell]]:
        return self.placed[: len(self.head)]

    @property
    def body_placed(self) -> list[list[PlacedCell]]:
        return self.placed[len(self.head) :]


def th(text: str, scope: str, *, rowspan: int = 1, colspan: int = 1) -> Cell:
    return Cell(text, header=True, rowspan=rowspan, colspan=colspan, scope=scope)


def td(value: int | Decimal | None, *, colspan: int = 1) -> Cell:
    return Cell(format_number(value), colspan=colspan)


def format_number(value: int | Decimal | None) -> str:
    """Whole numbers as such; amounts in 万元 without trailing zeros (2.02, not 2.0200)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in {"-0", ""} else text
    return str(value)


def table_two(report: AnnualReport) -> Table:
    r = report
    span = {"colspan": 3}

    def section(item: str) -> list[Cell]:
        return [th(ARTICLE_20.format(item), "colgroup", colspan=4)]

    body = [
        section("一"),
        [th(INFO, "col"), th("本年制发件数", "col"), th("本年废止件数", "col"),
         th("现行有效件数", "col")],
        [th("规章", "row"), td(r.rules_issued), td(r.rules_repealed), td(r.rules_valid)],
        [th("行政规范性文件", "row"), td(r.normative_issued), td(r.normative_repealed),
         td(r.normative_valid)],
        section("五"),
        [th(INFO, "col"), th(DECISIONS, "col", **span)],
        [th("行政许可", "row"), td(r.licensing_decisions, **span)],
        section("六"),
        [th(INFO, "col"), th(DECISIONS, "col", **span)],
        [th("行政处罚", "row"), td(r.punishment_decisions, **span)],
        [th("行政强制", "row"), td(r.coercion_decisions, **span)],
        section("八"),
        [th(INFO, "col"), th("本年收费金额（单位：万元）", "col", **span)],
        [th("行政事业性收费", "row"), td(r.fees_amount, **span)],
    ]  # fmt: skip
    return Table("table2", "二、主动公开政府信息情况", "主动公开政府信息情况", 4, [], body)


def _reasons(reply_type: str) -> list[ReplyReason]:
    return [reason for reason in ReplyReason if reason.value.startswith(f"{reply_type}_")]


def table_three(report: AnnualReport) -> Table:
    numbers = report.table_three or {}

    def values(key: str) -> list[Cell]:
        return [td(v) for v in numbers.get(key, [None] * 7)]

    head = [
        [th("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "col",
            rowspan=3, colspan=3), th("申请人情况", "colgroup", colspan=7)],
        [th("自然人", "col", rowspan=2), th("法人或其他组织", "colgroup", colspan=5),
         th("总计", "col", rowspan=2)],
        [th(kind, "col") for kind in APPLICANT_KINDS],
    ]  # fmt: skip
    grouped = [ReplyType.REFUSED, ReplyType.UNABLE, ReplyType.NOT_PROCESSED, ReplyType.OTHER]
    results: list[list[Cell]] = [
        [th("（一）予以公开", "row", colspan=2), *values(ReplyType.DISCLOSED)],
        [th("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "row", colspan=2),
         *values(ReplyType.PARTIAL)],
    ]  # fmt: skip
    for n, reply_type in enumerate(grouped, start=2):
        reasons = _reasons(reply_type)
        group = th(f"（{_NUMERALS[n]}）{reply_type.label}", "rowgroup", rowspan=len(reasons))
        for i, reason in enumerate(reasons, start=1):
            label = th(f"{i}.{reason.label}", "row")
            results.append([group, label, *values(reason)] if i == 1 else [label, *values(reason)])
    results.append([th("（七）总计", "row", colspan=2), *values("total")])
    results[0].insert(0, th("三、本年度办理结果", "rowgroup", rowspan=len(results)))
    body = [
        [th("一、本年新收政府信息公开申请数量", "row", colspan=3), *values("new")],
        [th("二、上年结转政府信息公开申请数量", "row", colspan=3), *values("carried_in")],
        *results,
        [th("四、结转下年度继续办理", "row", colspan=3), *values("carried_out")],
    ]
    return Table(
        "table3", "三、收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请情况", 10,
        head, body,
    )  # fmt: skip


def table_four(report: AnnualReport) -> Table:
    head = [
        [th("行政复议", "colgroup", colspan=5), th("行政诉讼", "colgroup", colspan=10)],
        [*(th(label, "col", rowspan=2) for label in OUTCOMES),
         th("未经复议直接起诉", "colgroup", colspan=5), th("复议后起诉", "colgroup", colspan=5)],
        [th(label, "col") for label in OUTCOMES * 2],
    ]  # fmt: skip
    parts = ["upheld", "corrected", "other", "pending", "total"]
    body = [
        [
            td(getattr(report, f"{group}_{part}"))
            for group in ("review", "suit", "suit_after_review")
            for part in parts
        ]
    ]
    return Table(
        "table4",
        "四、政府信息公开行政复议、行政诉讼情况",
        "政府信息公开行政复议、行政诉讼情况",
        15,
        head,
        body,
    )


def place(rows: list[list[Cell]]) -> Iterator[tuple[int, int, Cell]]:
    """(row, column, cell) for every cell, as a browser lays out rowspan and colspan."""
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(rows):
        column = 0
        for cell in cells:
            while (r, column) in taken:
                column += 1
            yield r, column, cell
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, column + dc))
            column += cell.colspan


def with_headers(table: Table) -> Table:
    """Every cell gets an id; every data cell the ids of its headers (WCAG H43): the column's
    headers above it up to its section's heading, and the row's headers to its left."""
    grid: dict[tuple[int, int], tuple[int, int, Cell]] = {}
    spots = list(place(table.rows))
    for r, c, cell in spots:
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                grid[(r + dr, c + dc)] = (r, c, cell)

    def cell_id(r: int, c: int) -> str:
        return f"{table.key}-r{r}c{c}"

    def headers_of(r: int, c: int) -> str:
        found: list[str] = []
        for above in range(r - 1, -1, -1):
            top, left, cell = grid[(above, c)]
            if cell.header and cell_id(top, left) not in found:
                found.append(cell_id(top, left))
                if cell.colspan == table.width:
                    break
        found.reverse()
        for before in range(c):
            top, left, cell = grid[(r, before)]
            if cell.header and cell_id(top, left) not in found:
                found.append(cell_id(top, left))
        return " ".join(found)

    placed: list[list[PlacedCell]] = [[] for _ in table.rows]
    for r, c, cell in spots:
        headers = "" if cell.header else headers_of(r, c)
        placed[r].append(PlacedCell(cell, r, c, cell_id(r, c), headers))
    return replace(table, placed=placed)


def report_tables(report: AnnualReport) -> list[Table]:
    return [with_headers(build(report)) for build in (table_two, table_three, table_four)]


def statistics_period(report: AnnualReport) -> str:
    return f"本报告中所列数据的统计期限自{report.year}年1月1日起至{report.year}年12月31日止。"
