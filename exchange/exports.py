"""Auditor exports of records, of the audit log and of plan items: CSV, XLSX and JSON Lines.

Exports stream: rows are read in keyset chunks (`id > last`, `chunk_size` at a time) and written
as they come, so a million-record export starts at once and holds one chunk in memory. Keyset
chunks rather than one server-side cursor because they behave the same on SQLite and PostgreSQL
and never keep a long transaction open while a slow client downloads.

A records row is specified once (`exchange.record_columns`); its Python rows are made by
`exchange.record_rows`, and on PostgreSQL the records CSV is written by the database itself
(`exchange.csv_by_copy`, from the same specification and byte-identical). The file formats are
in `exchange.export_writers`.

The JSON Lines export is the lossless form: `exchange.importing` reads it back into an empty
database and reproduces every field (see tests/exchange/test_round_trip.py).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from disclosure.audit import entry_digest, record_event
from disclosure.models import AuditAction, AuditEntry
from exchange import csv_by_copy
from exchange.export_writers import TEXT_WRITERS, WRITERS, _csv_text_chunks, encoded
from exchange.record_columns import RECORD_COLUMNS, Column
from exchange.record_rows import _record_rows, _record_text_chunks
from plans.choices import PlanItemStatus
from plans.models import PlanItem, PlanProgressNote

FORMATS = ("csv", "xlsx", "jsonl")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson; charset=utf-8",
}
DEFAULT_CHUNK_SIZE = 2000


class ExportError(Exception):
    """An export cannot be made (unknown format, invalid filters); the message says why."""


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
            yield from encoded(_csv_text_chunks([], headers))
            for count, data in csv_chunks:
                yield data
                advance(count)
        elif text_chunks is not None:
            yield from encoded(TEXT_WRITERS[fmt](counted_chunks(), headers))
        else:
            yield from encoded(WRITERS[fmt](counted(), columns, headers))
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
    elif fmt in TEXT_WRITERS:
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
