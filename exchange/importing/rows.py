"""The parts of reading a row that issue 15 added: validity spans, a 发布机构 recovered from
来源 or 文号, index numbers kept verbatim (or flagged), attachments, and the stable key that
finds a record without an index number again (issue 18, item 9)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models.base import ModelState

from disclosure.models import DisclosureRecord
from disclosure.numbering import parse_index_number
from exchange.importing import normalize as n
from exchange.importing.attachments import AttachmentProblem, FoundFile, split_names
from exchange.importing.columns import label
from exchange.importing.vocabulary import VocabularyResolver


def take_spans(cells: dict[str, Any], values: dict[str, Any], parse) -> None:
    """生效日期 and 有效期, either of which may hold a range (`生效时间 2019-01-23 / 废止时间
    2020-01-23`): from → 生效日期, until → 有效期, or → 废止日期 when the cell says 废止."""
    values["effective_on"] = values["valid_until"] = None
    for name in ("effective_on", "valid_until"):
        span = parse(name, n.parse_span)
        if span is None:
            continue
        if name == "effective_on" and span.start is None and not span.repeals:
            span = n.DateSpan(start=span.end)
        values["effective_on"] = values["effective_on"] or span.start
        if span.end is None:
            continue
        if span.repeals:
            values["repealed_on"] = values["repealed_on"] or span.end
        else:
            values["valid_until"] = values["valid_until"] or span.end


def recovered_organization(number: int, cells, vocab: VocabularyResolver, report) -> int | None:
    """A row without 发布机构: the body its 来源 or its 文号 names, if it is a known one."""
    for column, text in (
        ("source", cells.get("source")),
        ("document_number", cells.get("document_number")),
    ):
        pk = vocab.find_organization(text, document_number=column == "document_number")
        if pk is not None:
            report.warn(
                number,
                label("organization"),
                f"未填写,按「{label(column)}」{n.clean_text(text)} 取为"
                f"「{vocab.names['organization'][pk]}」。",
            )
            return pk
    report.add(
        number, label("organization"), "发布机构不能为空(来源、文件编号中也没有可识别的机构)。"
    )
    return None


def take_index_number(number: int, record, index_number: str, opts: Any, report) -> None:
    """Keep the file's number verbatim (issue 15, item 2); flag one that lost its code."""
    try:
        parsed = parse_index_number(index_number)
    except ValidationError as exc:
        report.add(number, label("index_number"), exc.message_dict["index_number"][0])
        return
    if parsed.lost_code:
        if opts.renumber_lost:
            report.warn(
                number,
                label("index_number"),
                f"{index_number} 缺少机构代码,已改为本平台生成的索引号。",
            )
            return
        report.warn(
            number,
            label("index_number"),
            f"{index_number} 缺少机构代码,按原文保留;"
            "如需本平台生成,导入时选「缺代码的索引号重新生成」(--renumber-lost)。",
        )
    record.index_number = index_number
    record.index_code = parsed.code
    record.index_year = parsed.year
    record.index_serial = parsed.serial if parsed.standard else None


def attachment_files(number: int, cells, opts: Any, report) -> list[FoundFile]:
    """The files the row's attachment column names, found and checked in the folder."""
    if opts.folder is None:
        return []
    files = []
    for name in split_names(cells.get("attachments")):
        try:
            files.append(opts.folder.find(name))
        except AttachmentProblem as exc:
            report.add(number, label("attachments"), str(exc))
    return files


INDEX_FIELDS = ("index_number", "index_code", "index_year", "index_serial")


def stable_key(record: DisclosureRecord) -> tuple:
    """What identifies a record without an index number: body, 文件编号, 标题, 发文日期."""
    return (record.organization_id, record.document_number, record.title, record.issued_on)


def loaded_record(values: dict[str, Any]) -> DisclosureRecord:
    """A record read with only some fields (`values`, by attname), as `.only()` would give it
    without `__init__`: a field not read is loaded from the database if it is ever used."""
    record = DisclosureRecord.__new__(DisclosureRecord)
    record.__dict__.update(values)
    record._state = ModelState()
    record._state.adding = False
    record._state.db = DEFAULT_DB_ALIAS
    return record


def locked_records(attnames: list[str], **lookups: Any) -> list[DisclosureRecord]:
    """The records matching `lookups`, locked as the workflow locks a record it changes, with
    only `attnames` read (`loaded_record`)."""
    found = DisclosureRecord.objects.select_for_update().filter(**lookups).values(*attnames)
    return [loaded_record(values) for values in found]


def existing_by_key(
    records: list[DisclosureRecord], attnames: list[str]
) -> dict[tuple, list[DisclosureRecord]]:
    """The records (locked, only `attnames` read) whose stable key one of `records` has; one
    query a chunk."""
    if not records:
        return {}
    found: dict[tuple, list[DisclosureRecord]] = {}
    wanted = {stable_key(r) for r in records}
    candidates = locked_records(
        attnames,
        organization_id__in={r.organization_id for r in records},
        issued_on__in={r.issued_on for r in records},
        title__in={r.title for r in records},
    )
    for old in candidates:
        key = stable_key(old)
        if key in wanted:
            found.setdefault(key, []).append(old)
    return found
