"""What an import tells the person who ran it: counts, problems, and what to do next.

Every problem names its row, column, the value and what was expected. The summary (issue 15,
item 5) is written to be acted on: how many rows are fine, the problems grouped by column,
the values that would be created, and the spellings that were matched to an existing value
through an alias or the other script. Problem rows are kept (their cells as read) so the
admin can hand them back as a CSV to fix in Excel.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MAX_REPORTED_PROBLEMS = 1000
#: Problem rows kept for the CSV download; a file with more is better fixed at its source.
MAX_KEPT_ROWS = 5000

KIND_LABELS = {"organization": "发布机构", "category": "目录", "topic": "主题", "genre": "体裁"}


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row else "文件"
        column = f"「{self.column}」" if self.column else ""
        return f"{where}{column}:{self.message}"


@dataclass
class ImportReport:
    filename: str
    committed: bool = False
    dry_run: bool = True
    rows: int = 0
    created: int = 0
    updated: int = 0
    #: Rows equal to the record they name (content, status, keywords): left as they were.
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    #: Not problems: what was kept but deserves a look (a number without organization code).
    warnings: list[Problem] = field(default_factory=list)
    unknown: dict[str, list[str]] = field(default_factory=dict)
    created_vocabulary: dict[str, list[str]] = field(default_factory=dict)
    #: kind → {spelling in the file: the value it matched}, where they differ
    matched_vocabulary: dict[str, dict[str, str]] = field(default_factory=dict)
    record_ids: list[int] = field(default_factory=list, repr=False)
    #: Labels of the file's workflow columns (状态, 发布人, 浏览次数 …), which were not used.
    ignored_columns: list[str] = field(default_factory=list)
    #: The rows became published (the importer asked and may publish), else drafts.
    publish: bool = False
    #: Seconds from the start to the commit, and of the search re-index after it (if run).
    write_seconds: float | None = None
    indexed: int | None = None
    index_seconds: float | None = None
    #: Index numbers the portal assigned to published rows that came without one.
    numbered: int = 0
    attachments: int = 0
    #: The cells of every row with a problem, in file order (for the CSV download).
    header: list[str] = field(default_factory=list, repr=False)
    problem_rows: dict[int, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(Problem(row, column, message))

    def warn(self, row: int | None, column: str, message: str) -> None:
        if len(self.warnings) < MAX_REPORTED_PROBLEMS:
            self.warnings.append(Problem(row, column, message))

    def keep_row(self, row: int, cells: dict[str, Any]) -> None:
        if row not in self.problem_rows and len(self.problem_rows) < MAX_KEPT_ROWS:
            self.problem_rows[row] = cells

    def summary(self) -> str:
        if not self.ok:
            return f"未导入:发现 {self.problem_count} 个问题(共 {self.rows} 行),所有行均未导入。"
        verb = "已导入" if self.committed else "校验通过(试运行,未写入)"
        same = f",{self.unchanged} 条与现有信息相同、未改动" if self.unchanged else ""
        return f"{verb}:共 {self.rows} 行,新建 {self.created} 条,更新 {self.updated} 条{same}。"

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems if p.row})

    def problems_by_kind(self) -> list[tuple[str, int]]:
        """(column, number of problems) for the reported problems, most frequent first."""
        counts = Counter(p.column or "文件" for p in self.problems)
        return counts.most_common()

    def digest(self) -> list[str]:
        """The dry run's summary (issue 15, item 5), one line each."""
        lines = [f"可导入的行:{self.rows - self.bad_rows} / {self.rows}"]
        if self.problem_count:
            kinds = "、".join(f"「{column}」{n} 个" for column, n in self.problems_by_kind())
            lines.append(f"有问题的行:{self.bad_rows}(按列:{kinds})")
        verb = "已创建" if self.committed else "将创建"
        for kind, names in self.created_vocabulary.items():
            lines.append(f"{verb}{KIND_LABELS.get(kind, kind)} {len(names)} 个:{'、'.join(names)}")
        for kind, pairs in self.matched_vocabulary.items():
            shown = "、".join(f"{given} → {name}" for given, name in pairs.items())
            lines.append(f"按别名或繁简体匹配的{KIND_LABELS.get(kind, kind)}:{shown}")
        if self.numbered:
            lines.append(f"将为 {self.numbered} 条没有信息索引号的已发布信息生成索引号")
        if self.warnings:
            lines.append(f"提示 {len(self.warnings)} 条(已保留原值,请核对)")
        return lines

    def notices(self) -> list[str]:
        """What the importer should know beyond the counts: how the rows enter the workflow."""
        notes = [
            "各行已直接发布(发布人为您)。"
            if self.publish
            else "新建的信息为草稿,须经提交、审核、发布后才公开;更新的信息保持原状态。"
        ]
        if self.ignored_columns:
            notes.append(f"以下列由工作流决定,文件中的值未采用:{'、'.join(self.ignored_columns)}。")
        return notes


def problem_rows_csv(report: ImportReport) -> bytes:
    """The rows that had problems, as read, plus a 问题 column: to fix in Excel and import
    again. Every cell is neutralized (a cell starting with = + - @ is not a formula there)."""
    from exchange.export_writers import neutralize

    messages: dict[int, list[str]] = {}
    for problem in report.problems:
        if problem.row in report.problem_rows:
            column = f"「{problem.column}」" if problem.column else ""
            messages.setdefault(problem.row, []).append(column + problem.message)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralize(h) for h in [*report.header, "问题"]])
    for row in sorted(report.problem_rows):
        cells = report.problem_rows[row]
        values = ["" if cells.get(h) is None else str(cells.get(h)) for h in report.header]
        writer.writerow([neutralize(v) for v in [*values, ";".join(messages.get(row, []))]])
    return out.getvalue().encode("utf-8-sig")
