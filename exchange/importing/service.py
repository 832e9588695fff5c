"""`import_records`: a legacy site's records in one transaction, all rows or none.

The file is read once, row by row; each row is normalized and validated, and valid rows are
written in chunks inside one transaction. If any row is bad, or on a dry run (the default), the
transaction is rolled back at the end, so the report names every bad row and nothing is kept.
Writing during validation (rather than validating first and writing after) keeps memory flat
and lets the database's own constraints take part in the dry run.

Rows are matched by 信息索引号: a number already in the database updates that record, so
re-importing a file creates no duplicates. Rows without a number are always created.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from disclosure.audit import record_event
from disclosure.choices import DisclosurePeriod, DisclosureScope, RecordStatus
from disclosure.models import (
    AuditAction,
    DisclosureRecord,
    Keyword,
)
from disclosure.numbering import keep_counters_ahead, parse_index_number
from disclosure.sanitize import sanitize_body
from exchange.importing import normalize as n
from exchange.importing.columns import IGNORED, REQUIRED, field_for, label
from exchange.importing.readers import FileProblem, check_size, detect_format, read_rows
from exchange.importing.vocabulary import KINDS, VocabularyResolver
from exchange.importing.writes import ChunkWrite, ChunkWriter

CHUNK_SIZE = 1000
MAX_REPORTED_PROBLEMS = 1000
_CHAR_FIELDS = [
    f
    for f in DisclosureRecord._meta.concrete_fields
    if f.get_internal_type() == "CharField" and f.max_length
]
_MOMENTS = ("submitted_at", "approved_at", "published_at", "withdrawn_at", "created_at")
_ACTORS = (
    "created_by",
    "updated_by",
    "submitted_by",
    "approved_by",
    "published_by",
    "withdrawn_by",
)
_TEXTS = (
    "title",
    "document_number",
    "non_disclosure_reason",
    "procedure",
    "summary",
    "source",
    "withdrawal_reason",
)
_DATES = ("issued_on", "publication_date", "disclosure_until", "effective_on", "repealed_on")


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
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    unknown: dict[str, list[str]] = field(default_factory=dict)
    created_vocabulary: dict[str, list[str]] = field(default_factory=dict)
    record_ids: list[int] = field(default_factory=list, repr=False)
    #: Seconds from the start to the commit, and of the search re-index after it (if run).
    write_seconds: float | None = None
    indexed: int | None = None
    index_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(Problem(row, column, message))

    def summary(self) -> str:
        if not self.ok:
            return f"未导入:发现 {self.problem_count} 个问题(共 {self.rows} 行),所有行均未导入。"
        verb = "已导入" if self.committed else "校验通过(试运行,未写入)"
        return f"{verb}:共 {self.rows} 行,新建 {self.created} 条,更新 {self.updated} 条。"


class _Rollback(Exception):
    pass


@dataclass
class _Options:
    create_missing: bool
    default_category: int | None
    default_status: str


_FIELDS = DisclosureRecord._meta.concrete_fields


def _new_record(values: dict[str, Any]) -> DisclosureRecord:
    """An unsaved record from attribute values, the others at their defaults.

    Positional arguments take Django's fast constructor path (the one `from_db` uses); keyword
    arguments cost a fifth of the row's validation time.
    """
    return DisclosureRecord(
        *[values[f.attname] if f.attname in values else f.get_default() for f in _FIELDS]
    )


def _row_values(
    number: int, raw: dict[str, Any], vocab: VocabularyResolver, opts: _Options, report
) -> tuple[DisclosureRecord, list[str], str | None] | None:
    """One row as an unsaved record, its keywords and its 废止依据 number; None if it is bad."""
    cells: dict[str, Any] = {}
    for header, value in raw.items():
        name = field_for(header)
        if name and name not in IGNORED and name not in cells:
            cells[name] = value
    problems_before = report.problem_count
    values: dict[str, Any] = {}

    def parse(name: str, parser: Callable[[Any], Any]) -> Any:
        try:
            return parser(cells.get(name))
        except ValueError as exc:
            report.add(number, label(name), str(exc))
            return None

    for name in _TEXTS:
        values[name] = n.clean_text(cells.get(name))
    if not values["title"]:
        report.add(number, label("title"), "标题不能为空。")
    values["body"] = sanitize_body(n.clean_text(cells.get("body")))
    for name in _DATES:
        values[name] = parse(name, n.parse_date)
    values["valid_until"] = parse("valid_until", n.parse_validity)
    if not n.clean_text(cells.get("issued_on")) and not n.clean_text(cells.get("publication_date")):
        report.add(number, "发文日期", "发文日期和公开日期至少填写一个。")
    values["disclosure_period"] = parse("disclosure_period", n.parse_period)
    if values["disclosure_period"] is None:
        values["disclosure_period"] = (
            DisclosurePeriod.TIME_LIMITED
            if values["disclosure_until"]
            else DisclosurePeriod.LONG_TERM
        )
    values["disclosure_method"] = parse("disclosure_method", n.parse_method) or "proactive"
    values["disclosure_scope"] = parse("disclosure_scope", n.parse_scope) or DisclosureScope.PUBLIC
    values["status"] = parse("status", n.parse_status) or opts.default_status
    values["issued_on"] = values["issued_on"] or values["publication_date"]
    if values["status"] in (RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN):
        # a record the public saw has a 公开日期; a draft's stays empty until it is published
        values["publication_date"] = values["publication_date"] or values["issued_on"]
    forms = parse("disclosure_forms", n.parse_forms)
    values["disclosure_forms"] = ["website"] if forms is None else forms
    values["procedure"] = values["procedure"] or settings.DISCLOSURE_DEFAULT_PROCEDURE
    values["view_count"] = parse("view_count", lambda v: n.parse_int(v, "浏览次数")) or 0
    values["version"] = parse("version", lambda v: n.parse_int(v, "版本号")) or 1
    for name in (*_MOMENTS, "updated_at"):
        values[name] = parse(name, n.parse_moment)
    for name in _ACTORS:
        values[f"{name}_id"] = vocab.user(cells.get(name))

    values["organization_id"] = vocab.organization(cells.get("organization"))
    if not n.clean_text(cells.get("organization")):
        report.add(number, label("organization"), "发布机构不能为空。")
    values["department_id"] = vocab.organization(cells.get("department"))
    values["topic_id"] = vocab.topic(cells.get("topic"))
    values["genre_id"] = vocab.genre(cells.get("genre"))
    values["category_id"] = vocab.category(cells.get("category")) or opts.default_category
    if values["category_id"] is None and not n.clean_text(cells.get("category")):
        report.add(number, label("category"), "没有填写目录,也没有设置默认目录(--category)。")

    if values["status"] == RecordStatus.PUBLISHED and values["published_at"] is None:
        day = values["publication_date"] or values["issued_on"]
        if day:
            values["published_at"] = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time())
            )
    keywords = parse("keywords", n.parse_keywords) or []
    index_number = n.clean_text(cells.get("index_number"))
    repealed_by = n.clean_text(cells.get("repealed_by")) or None
    created_at = values.pop("created_at")
    record = _new_record(values)
    record._import_created_at = created_at
    if index_number:
        try:
            parsed = parse_index_number(index_number)
        except ValidationError as exc:
            report.add(number, label("index_number"), exc.message_dict["index_number"][0])
        else:
            record.index_number = index_number
            record.index_code = parsed.code
            record.index_year = parsed.year
            record.index_serial = parsed.serial if parsed.standard else None
    for char_field in _CHAR_FIELDS:
        value = getattr(record, char_field.attname)
        if isinstance(value, str) and len(value) > char_field.max_length:
            report.add(
                number,
                str(char_field.verbose_name),
                f"过长:{len(value)} 字,最多 {char_field.max_length} 字。",
            )
    try:
        record.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                report.add(number, label(name), message)
    if report.problem_count > problems_before:
        return None
    return record, keywords, repealed_by


class _Writer:
    """Writes valid rows in chunks: creates, updates by index number, keywords, counters."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.pending: list[tuple[DisclosureRecord, list[str]]] = []
        self.repeals: list[tuple[int, int, str]] = []  # (row, record id, repealing number)
        self.counters: dict[tuple[str, int], int] = {}
        self.keyword_ids: dict[str, int] = {}  # names seen so far: the vocabulary is small
        self.chunks = ChunkWriter(self._written)

    def add(self, number: int, record: DisclosureRecord, keywords, repealed_by) -> None:
        record._import_row = number
        record._import_repealed_by = repealed_by
        self.pending.append((record, keywords))
        if len(self.pending) >= CHUNK_SIZE:
            self.flush()

    def flush(self) -> None:
        """Hand the pending rows to the chunk writer (which may still be writing the last)."""
        if not self.pending:
            return
        chunk, self.pending = self.pending, []
        numbers = [r.index_number for r, _ in chunk if r.index_number]
        existing = dict(
            DisclosureRecord.objects.filter(index_number__in=numbers).values_list(
                "index_number", "pk"
            )
        )
        write = ChunkWrite()
        now = timezone.now()
        for record, _ in chunk:
            if record.index_number in existing:
                record.pk = existing[record.index_number]
                write.old.append(record)
            else:
                write.new.append(record)
            if record.index_serial is not None:
                key = (record.index_code, record.index_year)
                self.counters[key] = max(self.counters.get(key, 0), record.index_serial)
            record.created_at = record._import_created_at or now
            record.updated_at = record.updated_at or now
        ids = self._keyword_ids({name for _, keywords in chunk for name in keywords})
        write.keywords = [(record, [ids[name] for name in keywords]) for record, keywords in chunk]
        self.chunks.submit(write)

    def _keyword_ids(self, names: set[str]) -> dict[str, int]:
        ids = self.keyword_ids
        missing = names - ids.keys()
        if missing:
            Keyword.objects.bulk_create([Keyword(name=n) for n in missing], ignore_conflicts=True)
            ids.update(Keyword.objects.filter(name__in=missing).values_list("name", "pk"))
        return ids

    def _written(self, write: ChunkWrite) -> None:
        self.report.created += len(write.new)
        self.report.updated += len(write.old)
        for record, _ in write.keywords:
            self.report.record_ids.append(record.pk)
            if record._import_repealed_by:
                self.repeals.append((record._import_row, record.pk, record._import_repealed_by))

    def finish(self) -> None:
        """Link 废止依据 by index number, and move the serial counters past imported numbers."""
        self.flush()
        self.chunks.wait()
        targets = dict(
            DisclosureRecord.objects.filter(
                index_number__in={number for _, _, number in self.repeals}
            ).values_list("index_number", "pk")
        )
        linked = []
        for row, pk, number in self.repeals:
            if number not in targets:
                self.report.add(row, label("repealed_by"), f"找不到信息索引号为 {number} 的文件。")
            else:
                linked.append(DisclosureRecord(pk=pk, repealed_by_id=targets[number]))
        DisclosureRecord.objects.bulk_update(linked, ["repealed_by"], batch_size=CHUNK_SIZE)
        keep_counters_ahead(highest=self.counters)


def _check_columns(first: dict[str, Any], report: ImportReport) -> bool:
    fields = {field_for(header) for header in first}
    missing = [label(name) for name in REQUIRED if name not in fields]
    if not fields & {"issued_on", "publication_date"}:
        missing.append("发文日期或公开日期")
    if missing:
        report.add(None, "", f"缺少必需的列:{'、'.join(missing)}。")
    return not missing


def _read_and_write(rows, report: ImportReport, opts: _Options) -> None:
    vocab = VocabularyResolver(create_missing=opts.create_missing)
    writer = _Writer(report)
    with writer.chunks:
        _validate_and_write(rows, report, opts, vocab, writer)


def _validate_and_write(rows, report, opts: _Options, vocab, writer: _Writer) -> None:
    seen: dict[str, int] = {}
    serials: dict[tuple, int] = {}
    checked = False
    for number, raw in rows:
        if not checked:
            if not _check_columns(raw, report):
                return
            checked = True
        report.rows += 1
        parsed = _row_values(number, raw, vocab, opts, report)
        if parsed is None:
            continue
        record, keywords, repealed_by = parsed
        if record.index_number:
            if record.index_number in seen:
                report.add(
                    number,
                    label("index_number"),
                    f"信息索引号 {record.index_number} 与第 {seen[record.index_number]} 行重复。",
                )
                continue
            seen[record.index_number] = number
            if record.index_serial is not None:
                key = (record.index_code, record.index_year, record.index_serial)
                if key in serials:
                    report.add(
                        number,
                        label("index_number"),
                        f"信息索引号与第 {serials[key]} 行的序号相同(仅补零位数不同)。",
                    )
                    continue
                serials[key] = number
        if report.ok:  # once a row is bad nothing will be kept: only validate the rest
            writer.add(number, record, keywords, repealed_by)
    if not checked:
        report.add(None, "", "文件为空:没有数据行。")
        return
    for kind, names in vocab.unknown.items():
        if names:
            shown = "、".join(names[:50]) + (" 等" if len(names) > 50 else "")
            report.add(
                None,
                KINDS[kind],
                f"以下{KINDS[kind]}不存在:{shown}。请先在后台添加,或加 --create-missing 自动创建。",
            )
    report.unknown = {k: v for k, v in vocab.unknown.items() if v}
    report.created_vocabulary = {k: v for k, v in vocab.created.items() if v}
    if report.ok:
        writer.finish()


def _reindex_after_commit(report: ImportReport, started: float) -> None:
    """The one place a committed import brings the search index up to date.

    Bulk writes send no post_save signals; `index_records` indexes the published ones and drops
    any that are not (public) any more, a batch at a time. The report keeps both durations: the
    records are in the catalogue at the commit, in search results once this is done.
    """
    from search import index_records

    committed = time.monotonic()
    report.write_seconds = committed - started
    report.indexed = index_records(report.record_ids)
    report.index_seconds = time.monotonic() - committed


def import_records(
    *,
    source: IO[bytes] | str | Path,
    actor: Any = None,
    filename: str | None = None,
    fmt: str | None = None,
    commit: bool = False,
    create_missing: bool = False,
    default_category: int | None = None,
    default_status: str = RecordStatus.PUBLISHED,
    encoding: str | None = None,
    max_bytes: int | None = None,
    ip: str | None = None,
) -> ImportReport:
    """Validate a file and, with `commit=True` and no problem at all, import every row of it.

    Returns the report in every case; raises nothing for bad input. A committed import writes
    one audit entry (who, file, counts); a refused `commit` is recorded too, outside the
    rolled-back transaction.
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return import_records(
                source=handle,
                actor=actor,
                filename=filename or Path(source).name,
                fmt=fmt,
                commit=commit,
                create_missing=create_missing,
                default_category=default_category,
                default_status=default_status,
                encoding=encoding,
                max_bytes=max_bytes,
                ip=ip,
            )
    started = time.monotonic()
    filename = filename or getattr(source, "name", "") or "upload"
    report = ImportReport(filename=str(filename), dry_run=not commit)
    opts = _Options(create_missing, default_category, default_status)
    try:
        check_size(source, max_bytes=max_bytes)
        rows = read_rows(source, fmt=detect_format(str(filename), fmt), encoding=encoding)
        with transaction.atomic():
            _read_and_write(rows, report, opts)
            if not report.ok or not commit:
                raise _Rollback
            report.committed = True
            record_event(
                action=AuditAction.IMPORT,
                actor=actor,
                ip=ip,
                details={
                    "file": report.filename,
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "created_vocabulary": report.created_vocabulary,
                },
            )
            transaction.on_commit(partial(_reindex_after_commit, report, started))
    except _Rollback:
        pass
    except FileProblem as exc:
        report.add(None, "", str(exc))
    except DatabaseError as exc:
        report.add(None, "", f"数据库拒绝了导入:{exc}")
    if not report.committed:
        report.record_ids = []
        if not report.ok:
            report.created = report.updated = 0
        if commit:
            record_event(
                action=AuditAction.IMPORT,
                actor=actor,
                ip=ip,
                reason="导入被拒绝:" + report.summary(),
                details={"file": report.filename, "rows": report.rows, "committed": False},
            )
    return report
