"""Auditor exports of records and of the audit log: CSV (UTF-8 with BOM), XLSX and JSON Lines.

Exports stream: rows are read in keyset chunks (`id > last`, `chunk_size` at a time) and written
as they come, so a million-record export starts at once and holds one chunk in memory. Keyset
chunks rather than one server-side cursor because they behave the same on SQLite and PostgreSQL
and never keep a long transaction open while a slow client downloads.

Vocabularies (organizations, categories, topics, genres, staff accounts) are a few hundred rows
and are looked up in dictionaries instead of joined, which is most of the speed.

On PostgreSQL the records CSV is written by the database itself (`exchange.csv_by_copy`,
byte-identical to the Python writer here, which SQLite and the other formats use).

The JSON Lines export is the lossless form: `exchange.importing` reads it back into an empty
database and reproduces every field (see tests/exchange/test_round_trip.py). Spreadsheet
formats neutralize cells that start with = + - @ (and tab or carriage return) with a leading
apostrophe, as OWASP advises against CSV/formula injection; the importer removes it again.
"""

from __future__ import annotations

import csv
import datetime
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from disclosure.audit import entry_digest, record_event
from disclosure.choices import (
    DisclosureForm,
    DisclosureMethod,
    DisclosurePeriod,
    DisclosureScope,
    RecordStatus,
)
from disclosure.models import (
    Attachment,
    AuditAction,
    AuditEntry,
    Category,
    DisclosureRecord,
    Genre,
    Organization,
    RecordKeyword,
    Topic,
)
from exchange import csv_by_copy
from plans.choices import PlanItemStatus
from plans.models import PlanItem, PlanProgressNote

FORMATS = ("csv", "xlsx", "jsonl")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset("=+-@\t\r")
DEFAULT_CHUNK_SIZE = 2000
TEXT_BATCH = 500
XLSX_MAX_ROWS = 1_048_576  # rows in one worksheet, header included (Excel's limit)
LIST_SEPARATORS = {"keywords": ",", "disclosure_forms": "、", "attachments": "、"}


class ExportError(Exception):
    """An export cannot be made (unknown format, invalid filters); the message says why."""


@dataclass(frozen=True)
class Column:
    name: str
    label: str


#: Every field of the record page, then status, workflow moments and actors, URL, attachments.
RECORD_COLUMNS = [
    Column("index_number", "信息索引号"),
    Column("title", "标题"),
    Column("issued_on", "发文日期"),
    Column("publication_date", "公开日期"),
    Column("document_number", "文件编号"),
    Column("disclosure_period", "公开时限"),
    Column("disclosure_until", "公开截止日期"),
    Column("organization", "发布机构"),
    Column("department", "责任部门"),
    Column("disclosure_forms", "公开形式"),
    Column("disclosure_method", "公开方式"),
    Column("non_disclosure_reason", "不予公开理由"),
    Column("disclosure_scope", "公开范围"),
    Column("effective_on", "生效日期"),
    Column("valid_until", "有效期"),
    Column("repealed_on", "废止日期"),
    Column("repealed_by", "废止依据文件"),
    Column("procedure", "公开程序"),
    Column("topic", "主题"),
    Column("genre", "体裁"),
    Column("keywords", "关键词"),
    Column("summary", "内容概述"),
    Column("body", "正文"),
    Column("source", "来源"),
    Column("category", "目录"),
    Column("status", "状态"),
    Column("view_count", "浏览次数"),
    Column("version", "版本号"),
    Column("created_by", "编制人"),
    Column("created_at", "创建时间"),
    Column("updated_by", "最后修改人"),
    Column("updated_at", "更新时间"),
    Column("submitted_by", "提交人"),
    Column("submitted_at", "提交时间"),
    Column("approved_by", "审核人"),
    Column("approved_at", "审核时间"),
    Column("published_by", "发布人"),
    Column("published_at", "发布时间"),
    Column("withdrawn_by", "撤回人"),
    Column("withdrawn_at", "撤回时间"),
    Column("withdrawal_reason", "撤回理由"),
    Column("public_url", "公开地址"),
    Column("attachments", "文件下载"),
]

AUDIT_COLUMNS = [
    Column("id", "序号"),
    Column("created_at", "时间"),
    Column("created_at_utc", "时间(UTC,参与哈希)"),
    Column("actor_id", "操作人编号"),
    Column("actor_name", "操作人账号"),
    Column("action", "操作"),
    Column("action_label", "操作名称"),
    Column("object_type", "对象类型"),
    Column("object_id", "对象编号"),
    Column("object_repr", "对象"),
    Column("reason", "理由"),
    Column("ip", "IP 地址"),
    Column("details", "详情"),
    Column("prev_hash", "上一条哈希"),
    Column("entry_hash", "本条哈希"),
    Column("hash_ok", "哈希校验"),
]

_RECORD_VALUE_FIELDS = [
    "id",
    "index_number",
    "title",
    "issued_on",
    "publication_date",
    "document_number",
    "disclosure_period",
    "disclosure_until",
    "organization_id",
    "department_id",
    "disclosure_forms",
    "disclosure_method",
    "non_disclosure_reason",
    "disclosure_scope",
    "effective_on",
    "valid_until",
    "repealed_on",
    "repealed_by_id",
    "procedure",
    "topic_id",
    "genre_id",
    "summary",
    "body",
    "source",
    "category_id",
    "status",
    "view_count",
    "version",
    "created_by_id",
    "created_at",
    "updated_by_id",
    "updated_at",
    "submitted_by_id",
    "submitted_at",
    "approved_by_id",
    "approved_at",
    "published_by_id",
    "published_at",
    "withdrawn_by_id",
    "withdrawn_at",
    "withdrawal_reason",
]


def category_path(category: Category, by_id: dict[int, Category]) -> str:
    """The breadcrumb 政府信息公开 / 信息公开目录 / 规划计划; names are unique per parent."""
    names = []
    node: Category | None = category
    while node is not None:
        names.append(node.name)
        node = by_id.get(node.parent_id) if node.parent_id else None
    return " / ".join(reversed(names))


class _Vocabulary:
    """Labels of the small controlled vocabularies, loaded once per export."""

    def __init__(self) -> None:
        self.organizations = dict(Organization.objects.values_list("id", "name"))
        categories = {c.pk: c for c in Category.objects.all()}
        self.categories = {pk: category_path(c, categories) for pk, c in categories.items()}
        topics = {t.pk: t for t in Topic.objects.all()}
        self.topics = {
            pk: t.name if t.parent_id is None else f"{topics[t.parent_id].name}--{t.name}"
            for pk, t in topics.items()
        }
        self.genres = dict(Genre.objects.values_list("id", "name"))
        self.users = dict(
            get_user_model().objects.values_list("id", get_user_model().USERNAME_FIELD)
        )
        self.forms = dict(DisclosureForm.choices)
        self.periods = dict(DisclosurePeriod.choices)
        self.methods = dict(DisclosureMethod.choices)
        self.scopes = dict(DisclosureScope.choices)
        self.statuses = dict(RecordStatus.choices)
        self.index_numbers: dict[int, str | None] = {}


_I = {name: i for i, name in enumerate(_RECORD_VALUE_FIELDS)}


def _record_rows(queryset: QuerySet, *, chunk_size: int) -> Iterator[list[Any]]:
    """Rows as Python values (dates, datetimes, lists), one chunk of records at a time."""
    vocab = _Vocabulary()
    for chunk, keywords, attachments in _record_chunks(queryset, vocab, chunk_size=chunk_size):
        for row in chunk:
            yield _record_row(row, vocab, keywords, attachments)


def _fetch(page: QuerySet, forms: dict[str, list[str]]) -> list[tuple]:
    """One chunk of value tuples; on PostgreSQL straight from the cursor.

    There the ORM's per-row work is only decoding 公开形式 (JSON), and the distinct values are
    few, so each is decoded once; the cursor's tuples are otherwise exactly `values_list`'s.
    """
    if connections[page.db].vendor != "postgresql":
        return list(page)
    try:
        sql, params = page.query.sql_with_params()
    except EmptyResultSet:  # a queryset known to match nothing, such as `.none()`
        return []
    with connections[page.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    i = _I["disclosure_forms"]
    for n, row in enumerate(rows):
        raw = row[i]
        if raw.__class__ is str:
            if raw not in forms:
                forms[raw] = json.loads(raw)
            rows[n] = (*row[:i], forms[raw], *row[i + 1 :])
    return rows


def _record_chunks(queryset: QuerySet, vocab: _Vocabulary, *, chunk_size: int):
    """(value tuples, {id: keywords}, {id: attachment names}) per keyset chunk.

    Tuples rather than dicts or models, and the lookups in two queries per chunk: per row the
    export then does only dictionary look-ups.
    """
    last_id = 0
    repealed = _I["repealed_by_id"]
    forms: dict[str, list[str]] = {}  # a handful of distinct 公开形式 lists, decoded once
    while True:
        chunk = _fetch(
            queryset.filter(id__gt=last_id)
            .order_by("id")
            .values_list(*_RECORD_VALUE_FIELDS)[:chunk_size],
            forms,
        )
        if not chunk:
            return
        last_id = chunk[-1][0]
        ids = [row[0] for row in chunk]
        keywords: dict[int, list[str]] = {}
        # a dense run of ids (the usual case) is fetched by range: cheaper than IN (2000 ids)
        in_chunk = (
            {"record_id__gte": ids[0], "record_id__lte": ids[-1]}
            if ids[-1] - ids[0] < 2 * len(ids)
            else {"record_id__in": ids}
        )
        for record_id, name in (
            RecordKeyword.objects.filter(**in_chunk)
            .order_by("record_id", "position", "id")
            .values_list("record_id", "keyword__name")
        ):
            keywords.setdefault(record_id, []).append(name)
        attachments: dict[int, list[str]] = {}
        for record_id, title in (
            Attachment.objects.filter(**in_chunk)
            .order_by("record_id", "position", "id")
            .values_list("record_id", "title")
        ):
            attachments.setdefault(record_id, []).append(title)
        repealers = {row[repealed] for row in chunk if row[repealed]}
        missing = repealers - vocab.index_numbers.keys()
        if missing:
            vocab.index_numbers.update(
                DisclosureRecord.objects.filter(pk__in=missing).values_list("id", "index_number")
            )
        yield chunk, keywords, attachments


def _record_row(row, vocab: _Vocabulary, keywords, attachments) -> list[Any]:
    """The cells in RECORD_COLUMNS order (a list: dicts cost a third of the export time)."""
    (
        pk, index_number, title, issued_on, publication_date, document_number, period,
        disclosure_until, organization_id, department_id, forms, method, non_disclosure_reason,
        scope, effective_on, valid_until, repealed_on, repealed_by_id, procedure, topic_id,
        genre_id, summary, body, source, category_id, status, view_count, version,
        created_by_id, created_at, updated_by_id, updated_at, submitted_by_id, submitted_at,
        approved_by_id, approved_at, published_by_id, published_at, withdrawn_by_id,
        withdrawn_at, withdrawal_reason,
    ) = row  # fmt: skip
    users = vocab.users
    return [
        index_number,
        title,
        issued_on,
        publication_date,
        document_number,
        vocab.periods.get(period, period),
        disclosure_until,
        vocab.organizations.get(organization_id),
        vocab.organizations.get(department_id),
        [vocab.forms.get(f, f) for f in forms or []],
        vocab.methods.get(method, method),
        non_disclosure_reason,
        vocab.scopes.get(scope, scope),
        effective_on,
        valid_until or "长期",
        repealed_on,
        vocab.index_numbers.get(repealed_by_id),
        procedure,
        vocab.topics.get(topic_id),
        vocab.genres.get(genre_id),
        keywords.get(pk, []),
        summary,
        body,
        source,
        vocab.categories.get(category_id),
        vocab.statuses.get(status, status),
        view_count,
        version,
        users.get(created_by_id),
        created_at,
        users.get(updated_by_id),
        updated_at,
        users.get(submitted_by_id),
        submitted_at,
        users.get(approved_by_id),
        approved_at,
        users.get(published_by_id),
        published_at,
        users.get(withdrawn_by_id),
        withdrawn_at,
        withdrawal_reason,
        f"/records/{pk}/" if status == RecordStatus.PUBLISHED else "",
        attachments.get(pk, []),
    ]


def _record_text_chunks(queryset: QuerySet, *, chunk_size: int) -> Iterator[list[list[str]]]:
    """Rows already as neutralized spreadsheet text, a chunk at a time: CSV and XLSX.

    Same cells as `_cell(_record_row(...))`, but each column's type is known, so every value
    goes straight to its text (tests/exchange/test_exports.py compares the two).
    """
    vocab = _Vocabulary()
    tz = timezone.get_current_timezone()
    users, organizations, index_numbers = vocab.users, vocab.organizations, vocab.index_numbers
    periods, methods, scopes, statuses = vocab.periods, vocab.methods, vocab.scopes, vocab.statuses
    forms_, topics, genres, categories = vocab.forms, vocab.topics, vocab.genres, vocab.categories
    first = FORMULA_FIRST
    published = RecordStatus.PUBLISHED

    def t(value: str | None) -> str:
        if not value:
            return ""
        return "'" + value if value[0] in first else value

    def d(value: datetime.date | None) -> str:
        return value.isoformat() if value is not None else ""

    def m(value: datetime.datetime | None) -> str:
        return value.astimezone(tz).isoformat() if value is not None else ""

    for chunk, keywords, attachments in _record_chunks(queryset, vocab, chunk_size=chunk_size):
        lines = []
        for row in chunk:
            (
                pk, index_number, title, issued_on, publication_date, document_number, period,
                disclosure_until, organization_id, department_id, forms, method,
                non_disclosure_reason, scope, effective_on, valid_until, repealed_on,
                repealed_by_id, procedure, topic_id, genre_id, summary, body, source,
                category_id, status, view_count, version, created_by_id, created_at,
                updated_by_id, updated_at, submitted_by_id, submitted_at, approved_by_id,
                approved_at, published_by_id, published_at, withdrawn_by_id, withdrawn_at,
                withdrawal_reason,
            ) = row  # fmt: skip
            lines.append(
                [
                    t(index_number),
                    t(title),
                    d(issued_on),
                    d(publication_date),
                    t(document_number),
                    t(periods.get(period, period)),
                    d(disclosure_until),
                    t(organizations.get(organization_id)),
                    t(organizations.get(department_id)),
                    t(
                        LIST_SEPARATORS["disclosure_forms"].join(
                            [forms_.get(f, f) for f in forms or []]
                        )
                    ),
                    t(methods.get(method, method)),
                    t(non_disclosure_reason),
                    t(scopes.get(scope, scope)),
                    d(effective_on),
                    d(valid_until) if valid_until else "长期",
                    d(repealed_on),
                    t(index_numbers.get(repealed_by_id)),
                    t(procedure),
                    t(topics.get(topic_id)),
                    t(genres.get(genre_id)),
                    t(LIST_SEPARATORS["keywords"].join(keywords.get(pk, ()))),
                    t(summary),
                    t(body),
                    t(source),
                    t(categories.get(category_id)),
                    t(statuses.get(status, status)),
                    str(view_count),
                    str(version),
                    t(users.get(created_by_id)),
                    m(created_at),
                    t(users.get(updated_by_id)),
                    m(updated_at),
                    t(users.get(submitted_by_id)),
                    m(submitted_at),
                    t(users.get(approved_by_id)),
                    m(approved_at),
                    t(users.get(published_by_id)),
                    m(published_at),
                    t(users.get(withdrawn_by_id)),
                    m(withdrawn_at),
                    t(withdrawal_reason),
                    f"/records/{pk}/" if status == published else "",
                    t(LIST_SEPARATORS["attachments"].join(attachments.get(pk, ()))),
                ]
            )
            if len(lines) == TEXT_BATCH:  # the written text is a few MB per batch, not per chunk
                yield lines
                lines = []
        if lines:
            yield lines


def _audit_rows(queryset: QuerySet, *, chunk_size: int) -> Iterator[list[Any]]:
    labels = dict(AuditAction.choices)
    last_id = 0
    while True:
        chunk = list(queryset.filter(id__gt=last_id).order_by("id")[:chunk_size])
        if not chunk:
            return
        last_id = chunk[-1].pk
        for entry in chunk:
            row = {
                "id": entry.pk,
                "created_at": entry.created_at,
                "created_at_utc": entry.created_at.astimezone(datetime.UTC).isoformat(),
                "actor_id": entry.actor_id,
                "actor_name": entry.actor_name,
                "action": entry.action,
                "action_label": labels.get(entry.action, entry.action),
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "object_repr": entry.object_repr,
                "reason": entry.reason,
                "ip": entry.ip,
                "details": json.dumps(
                    entry.details, ensure_ascii=False, sort_keys=True, separators=(",", ":")
                ),
                "prev_hash": entry.prev_hash,
                "entry_hash": entry.entry_hash,
                "hash_ok": entry_digest(entry) == entry.entry_hash,
            }
            yield [row[c.name] for c in AUDIT_COLUMNS]


def neutralize(text: str) -> str:
    """Stop a spreadsheet from evaluating a cell as a formula (=HYPERLINK(...), +cmd|...)."""
    if text and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _cell(name: str, value: Any, tz: datetime.tzinfo | None = None) -> str:
    """One value as spreadsheet text: dates ISO, moments in local time, lists joined.

    The type tests are ordered by frequency (text first): this runs for every cell.
    """
    if value.__class__ is str:
        return "'" + value if value and value[0] in FORMULA_FIRST else value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return neutralize(LIST_SEPARATORS.get(name, "、").join(value))
    return neutralize(str(value))


def _json_value(value: Any, tz: datetime.tzinfo) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(tz).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class _LineBuffer:
    def write(self, value: str) -> str:
        return value


def _csv_chunks(rows: Iterable[list], columns: list[Column], headers: list[str]) -> Iterator[str]:
    writer = csv.writer(_LineBuffer())
    yield "\ufeff" + writer.writerow(headers)
    tz = timezone.get_current_timezone()
    names = [c.name for c in columns]
    first = FORMULA_FIRST
    batch: list[str] = []
    for row in rows:
        cells = []
        for name, value in zip(names, row, strict=True):
            if value.__class__ is str:  # most cells: inline, no call
                cells.append("'" + value if value and value[0] in first else value)
            else:
                cells.append(_cell(name, value, tz))
        batch.append(writer.writerow(cells))
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _csv_text_chunks(chunks: Iterable[list[list[str]]], headers: list[str]) -> Iterator[str]:
    """CSV of rows that are already spreadsheet text: one `writerows` call per chunk."""
    lines: list[str] = []
    writer = csv.writer(_ListBuffer(lines))
    writer.writerow(headers)
    yield "\ufeff" + lines.pop()
    for chunk in chunks:
        writer.writerows(chunk)
        yield "".join(lines)
        lines.clear()


class _ListBuffer:
    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def _jsonl_chunks(rows: Iterable[list], columns: list[Column], headers: list[str]) -> Iterator[str]:
    tz = timezone.get_current_timezone()
    batch: list[str] = []
    for row in rows:
        obj = {h: _json_value(value, tz) for h, value in zip(headers, row, strict=True)}
        batch.append(json.dumps(obj, ensure_ascii=False) + "\n")
        if len(batch) >= 500:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _xlsx_chunks(
    rows: Iterable[list], columns: list[Column], headers: list[str]
) -> Iterator[bytes]:
    tz = timezone.get_current_timezone()
    names = [c.name for c in columns]
    texts = ([[_cell(n, v, tz) for n, v in zip(names, row, strict=True)]] for row in rows)
    return _xlsx_text_chunks(texts, headers)


def _xlsx_text_chunks(chunks: Iterable[list[list[str]]], headers: list[str]) -> Iterator[bytes]:
    """openpyxl's write-only mode keeps rows in a temporary file, not in memory.

    A zip's directory comes last, so the workbook is sent once complete; memory stays flat.
    Rows beyond one sheet's limit continue on further sheets (导出2, …), each with the header.
    Cells are given as plain text (every text is neutralized, so none is taken for a formula)
    and empty ones are left out: wrapping each in a cell object costs twice the time; only texts
    openpyxl would take for an error value (#N/A, …) are wrapped as text cells. XML
    cannot hold most control characters (a form feed pasted from Word, say), so XLSX drops
    them; CSV and JSON Lines keep them.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

    illegal = ILLEGAL_CHARACTERS_RE.search

    def text_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # "#N/A" given as a plain value would become an error cell
        return cell

    workbook = Workbook(write_only=True)
    sheet, rows = workbook.create_sheet("导出"), 0
    sheet.append(headers)
    for chunk in chunks:
        for row in chunk:
            if rows == XLSX_MAX_ROWS - 1:  # a sheet ends at row 1,048,576: go on in the next
                sheet, rows = workbook.create_sheet(f"导出{len(workbook.worksheets) + 1}"), 0
                sheet.append(headers)
            if illegal("".join(row)):
                row = [neutralize(ILLEGAL_CHARACTERS_RE.sub("", text)) for text in row]
            sheet.append([text_cell(text) if text in ERROR_CODES else text or None for text in row])
            rows += 1
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while block := handle.read(256 * 1024):
            yield block


_WRITERS: dict[str, Callable[..., Iterator]] = {
    "csv": _csv_chunks,
    "xlsx": _xlsx_chunks,
    "jsonl": _jsonl_chunks,
}


_TEXT_WRITERS: dict[str, Callable[..., Iterator]] = {
    "csv": _csv_text_chunks,
    "xlsx": _xlsx_text_chunks,
}


def _encoded(chunks: Iterator) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk


def stream_rows(
    *,
    rows: Iterator[list[Any]] | None = None,
    text_chunks: Iterator[list[list[str]]] | None = None,
    csv_chunks: Iterator[tuple[int, bytes]] | None = None,
    columns: list[Column],
    fmt: str,
    english: bool,
    actor: Any,
    what: str,
    filters: dict[str, Any],
    ip: str | None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """Yield the file, then write the audit entry with the number of rows actually sent.

    CSV and XLSX rows may come as `text_chunks` (chunks of rows already as text) instead of `rows`,
    and CSV rows as `csv_chunks`: (number of rows, the rows as CSV bytes) from PostgreSQL's COPY.
    `progress`, if given, is called with the number of rows written so far after each chunk
    (every 1,000 rows and at the end when rows come one by one): background exports show it.
    """
    if fmt not in FORMATS:
        raise ExportError(f"不支持的导出格式:{fmt}(可选 {', '.join(FORMATS)})。")
    headers = [c.name if english else c.label for c in columns]
    counter = {"rows": 0}

    def advance(rows_written: int, *, report: bool = True) -> None:
        counter["rows"] += rows_written
        if progress is not None and report:
            progress(counter["rows"])

    def counted() -> Iterator[list[Any]]:
        for row in rows:
            yield row
            advance(1, report=(counter["rows"] + 1) % 1000 == 0)
        advance(0)

    def counted_chunks() -> Iterator[list[list[str]]]:
        for chunk in text_chunks:
            yield chunk
            advance(len(chunk))

    complete = False
    try:
        if csv_chunks is not None:
            yield from _encoded(_csv_text_chunks([], headers))
            for count, data in csv_chunks:
                yield data
                advance(count)
        elif text_chunks is not None:
            yield from _encoded(_TEXT_WRITERS[fmt](counted_chunks(), headers))
        else:
            yield from _encoded(_WRITERS[fmt](counted(), columns, headers))
        complete = True
    finally:
        record_event(
            action=AuditAction.EXPORT,
            actor=actor,
            ip=ip,
            details={
                "what": what,
                "format": fmt,
                "filters": filters,
                "rows": counter["rows"],
                "complete": complete,
            },
        )


def stream_records(
    *,
    queryset: QuerySet,
    fmt: str,
    actor: Any = None,
    english: bool = False,
    filters: dict[str, Any] | None = None,
    ip: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The records of `queryset` (already filtered by the caller) as a file, in byte chunks."""
    rows = text_chunks = csv_chunks = None
    if fmt == "csv" and csv_by_copy.available(queryset):
        csv_chunks = csv_by_copy.record_csv_chunks(queryset, chunk_size=chunk_size)
    elif fmt in _TEXT_WRITERS:
        text_chunks = _record_text_chunks(queryset, chunk_size=chunk_size)
    else:
        rows = _record_rows(queryset, chunk_size=chunk_size)
    return stream_rows(
        rows=rows,
        text_chunks=text_chunks,
        csv_chunks=csv_chunks,
        columns=RECORD_COLUMNS,
        fmt=fmt,
        english=english,
        actor=actor,
        what="records",
        filters=filters or {},
        ip=ip,
        progress=progress,
    )


def stream_audit_log(
    *,
    queryset: QuerySet | None = None,
    fmt: str,
    actor: Any = None,
    english: bool = False,
    filters: dict[str, Any] | None = None,
    ip: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The audit log with its hash chain, so an auditor can verify it offline."""
    queryset = AuditEntry.objects.all() if queryset is None else queryset
    return stream_rows(
        rows=_audit_rows(queryset, chunk_size=chunk_size),
        columns=AUDIT_COLUMNS,
        fmt=fmt,
        english=english,
        actor=actor,
        what="audit_log",
        filters=filters or {},
        ip=ip,
        progress=progress,
    )


#: The auditors' plan tracker: every item with its document, tracking fields and links.
PLAN_ITEM_COLUMNS = [
    Column("organization", "发布机构"),
    Column("index_number", "信息索引号"),
    Column("record_title", "文件标题"),
    Column("issued_on", "发文日期"),
    Column("section", "部分"),
    Column("ordinal", "序号"),
    Column("heading", "事项"),
    Column("text", "内容"),
    Column("responsible", "责任单位"),
    Column("due_on", "完成时限"),
    Column("status", "进展"),
    Column("status_changed_at", "进展更新时间"),
    Column("latest_note", "最新进展情况"),
    Column("follow_up", "后续报告"),
    Column("evidence", "佐证材料"),
]


def _plan_item_rows(queryset: QuerySet, *, chunk_size: int) -> Iterator[list[Any]]:
    statuses = dict(PlanItemStatus.choices)
    queryset = queryset.select_related(
        "section__plan__record__organization", "responsible", "follow_up__section__plan__record"
    ).prefetch_related("evidence")
    last_id = 0
    while True:
        chunk: list[PlanItem] = list(queryset.filter(id__gt=last_id).order_by("id")[:chunk_size])
        if not chunk:
            return
        last_id = chunk[-1].pk
        notes: dict[int, str] = {}
        for note in PlanProgressNote.objects.filter(item__in=chunk).order_by("noted_on", "id"):
            notes[note.item_id] = f"{note.noted_on:%Y-%m-%d} {note.text}"
        for item in chunk:
            record = item.section.plan.record
            follow = item.follow_up
            row = {
                "organization": record.organization.name,
                "index_number": record.index_number or "",
                "record_title": record.title,
                "issued_on": record.issued_on,
                "section": item.section.heading,
                "ordinal": item.ordinal,
                "heading": item.heading,
                "text": item.text,
                "responsible": item.responsible.name if item.responsible_id else "",
                "due_on": item.due_on,
                "status": statuses.get(item.status, item.status),
                "status_changed_at": item.status_changed_at,
                "latest_note": notes.get(item.pk, ""),
                "follow_up": (
                    f"{follow.section.plan.record.title} / {follow.heading}" if follow else ""
                ),
                "evidence": [e.index_number or e.title for e in item.evidence.all()],
            }
            yield [row[c.name] for c in PLAN_ITEM_COLUMNS]


def stream_plan_items(
    *,
    queryset: QuerySet,
    fmt: str,
    actor: Any = None,
    english: bool = False,
    filters: dict[str, Any] | None = None,
    ip: str | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[bytes]:
    """Plan items (issue 7's tracker) as a file, through the same writers and audit entry."""
    return stream_rows(
        rows=_plan_item_rows(queryset, chunk_size=chunk_size),
        columns=PLAN_ITEM_COLUMNS,
        fmt=fmt,
        english=english,
        actor=actor,
        what="plan_items",
        filters=filters or {},
        ip=ip,
    )


def export_filename(*, what: str, fmt: str) -> str:
    return f"{what}-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
