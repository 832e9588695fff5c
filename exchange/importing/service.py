"""`import_records`: a legacy site's records in one transaction, all rows or none.

The file is read once, row by row; each row is normalized and validated, and valid rows are
written in chunks inside one transaction. If any row is bad, or on a dry run (the default), the
transaction is rolled back at the end, so the report names every bad row and nothing is kept.
Writing during validation (rather than validating first and writing after) keeps memory flat
and lets the database's own constraints take part in the dry run.

Rows are matched by 信息索引号: a number already in the database updates that record, so
re-importing a file creates no duplicates. A row without a number is matched by its stable key
(发布机构, 文件编号, 标题, 发文日期). A row equal to the record it matches is left as it is
(`writes.COMPARED`), unless the import numbers it, links its 废止依据 or adds a file to it
(`_always_written`): importing a file twice is the same as importing it once.

An import is a staff action like any other, under the same rules (disclosure.workflow,
disclosure.roles): the importer needs `import_records`; every row must lie in their organization
scope, and so must the record an index number would overwrite; rows enter the workflow as drafts
(an update keeps a draft or submitted record's status, if the importer may edit it), or as
published only when the importer asked for it and holds the publish permission. Status, people,
moments, version and view count are the workflow's, never the file's. Each record written gets
its own audit entry, and an update a revision (the state before it too, if it had none), written
in bulk.
"""

from __future__ import annotations

import datetime
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from disclosure.audit import record_event, record_events
from disclosure.changes import announce_public_change
from disclosure.choices import DisclosurePeriod, DisclosureScope, RecordStatus
from disclosure.models import Attachment, AuditAction, AuditEntry, DisclosureRecord, Keyword
from disclosure.normative import normative_kind_for_genre
from disclosure.numbering import assign_index_numbers, keep_counters_ahead
from disclosure.roles import record_scope
from disclosure.sanitize import sanitize_body
from disclosure.services.editing import editable_statuses
from disclosure.workflow import holds_permission, may_publish
from exchange.importing import normalize as n
from exchange.importing.attachments import (
    AttachmentFolder,
    FoundFile,
    remove_stored,
    store_attachments,
)
from exchange.importing.columns import IGNORED, REQUIRED, WORKFLOW, field_for, label
from exchange.importing.readers import (
    FileProblem,
    Limits,
    check_size,
    detect_format,
    read_rows,
)
from exchange.importing.report import ImportReport
from exchange.importing.rows import (
    INDEX_FIELDS,
    attachment_files,
    existing_by_key,
    locked_records,
    recovered_organization,
    stable_key,
    take_index_number,
    take_spans,
)
from exchange.importing.vocabulary import KINDS, VocabularyResolver
from exchange.importing.writes import ChunkWrite, ChunkWriter

IMPORT_PERMISSION = "disclosure.import_records"

CHUNK_SIZE = 1000
_CHAR_FIELDS = [
    f
    for f in DisclosureRecord._meta.concrete_fields
    if f.get_internal_type() == "CharField" and f.max_length
]
_TEXTS = (
    "title",
    "document_number",
    "non_disclosure_reason",
    "procedure",
    "summary",
    "source",
)
_DATES = ("issued_on", "publication_date", "disclosure_until", "repealed_on")


class _Rollback(Exception):
    pass


@dataclass
class _Options:
    create_missing: bool
    default_category: int | None
    actor: Any
    publish: bool
    #: `roles.can_access_record` for the actor, their scope read once
    within: Callable[[Any], bool]
    #: `--attachments DIR`: the folder the attachment column's names are taken from
    folder: AttachmentFolder | None = None
    #: numbers that lost their organization code (`/2025-0000`) are replaced by the portal's
    renumber_lost: bool = False
    commit: bool = False
    #: files stored for this import, removed again if it does not commit
    stored_files: list[str] = field(default_factory=list)


_FIELDS = DisclosureRecord._meta.concrete_fields
_CALLED_DEFAULTS = [f for f in _FIELDS if f.has_default() and callable(f.default)]
_STATIC_DEFAULTS = {f.attname: f.get_default() for f in _FIELDS if f not in _CALLED_DEFAULTS}


def _new_record(values: dict[str, Any]) -> DisclosureRecord:
    """An unsaved record from attribute values, the others at their defaults.

    The instance `DisclosureRecord(**values)` would be, made without `__init__`: setting fifty
    attributes one by one through the fields' descriptors was a fifth of a row's validation.
    Nothing in the project listens to a model's init signals.
    """
    record = DisclosureRecord.__new__(DisclosureRecord)
    state = record.__dict__
    state.update(_STATIC_DEFAULTS)
    for f in _CALLED_DEFAULTS:
        if f.attname not in values:
            state[f.attname] = f.get_default()
    state.update(values)
    record._state = ModelState()
    return record


@functools.lru_cache(maxsize=64)
def _header_fields(headers: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(header, field) for the headers a row has that the import takes, the first header of a
    field winning: worked out once per file's header, not once per row."""
    taken: dict[str, str] = {}
    for header in headers:
        name = field_for(header)
        if name and name not in IGNORED and name not in taken.values():
            taken[header] = name
    return tuple(taken.items())


def _row_values(
    number: int, raw: dict[str, Any], vocab: VocabularyResolver, opts: _Options, report
) -> tuple[DisclosureRecord, list[str], str | None] | None:
    """One row as an unsaved record, its keywords and its 废止依据 number; None if it is bad."""
    cells = {name: raw[header] for header, name in _header_fields(tuple(raw))}
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
    take_spans(cells, values, parse)
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
    values["status"] = RecordStatus.PUBLISHED if opts.publish else RecordStatus.DRAFT
    values["issued_on"] = values["issued_on"] or values["publication_date"]
    if opts.publish:
        # a record the public saw has a 公开日期; a draft's stays empty until it is published
        values["publication_date"] = values["publication_date"] or values["issued_on"]
    forms = parse("disclosure_forms", n.parse_forms)
    values["disclosure_forms"] = ["website"] if forms is None else forms
    values["procedure"] = values["procedure"] or settings.DISCLOSURE_DEFAULT_PROCEDURE
    values["view_count"] = 0
    values["version"] = 1
    values["created_by_id"] = values["updated_by_id"] = opts.actor.pk
    values["published_by_id"] = opts.actor.pk if opts.publish else None

    if n.clean_text(cells.get("organization")):
        values["organization_id"] = vocab.organization(cells.get("organization"))
    else:
        values["organization_id"] = recovered_organization(number, cells, vocab, report)
    values["department_id"] = vocab.organization(cells.get("department"))
    values["topic_id"] = vocab.topic(cells.get("topic"))
    values["genre_id"] = vocab.genre(cells.get("genre"))
    values["normative_kind"] = normative_kind_for_genre(n.clean_text(cells.get("genre")))
    values["category_id"] = vocab.category(cells.get("category")) or opts.default_category
    if values["category_id"] is None and not n.clean_text(cells.get("category")):
        report.add(number, label("category"), "没有填写目录,也没有设置默认目录(--category)。")

    if opts.publish:
        day = values["publication_date"] or values["issued_on"]
        if day:
            values["published_at"] = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time())
            )
    keywords = parse("keywords", n.parse_keywords) or []
    index_number = n.clean_text(cells.get("index_number"))
    repealed_by = n.clean_text(cells.get("repealed_by")) or None
    record = _new_record(values)
    if values["organization_id"] is not None and not opts.within(record):
        report.add(
            number,
            label("organization"),
            f"「{n.clean_text(cells.get('organization'))}」不在您的机构范围内:"
            "只能导入本机构及下属部门的信息。",
        )
    if index_number:
        take_index_number(number, record, index_number, opts, report)
    record._import_files = attachment_files(number, cells, opts, report)
    state = record.__dict__
    for char_field in _CHAR_FIELDS:
        value = state[char_field.attname]
        if value.__class__ is str and len(value) > char_field.max_length:
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
        report.keep_row(number, raw)
        return None
    return record, keywords, repealed_by


#: What an update keeps of the record it overwrites: everything the file may not set.
_KEPT = [
    f.attname
    for f in _FIELDS
    if f.name in WORKFLOW
    or f.name
    in {
        "id", "rejected_by", "rejected_at", "rejection_reason", "confidentiality_reviewed_at",
        "scheduled_publish_at", "repealed_by",
    }
]  # fmt: skip


_RECORD_TYPE = DisclosureRecord._meta.label_lower
#: What is read of a record an update overwrites (and locks): the workflow state `_KEPT`, what
#: `_refusal` and the stable key look at; never the body (its revision is copied in SQL).
_LOCKED_FIELDS = sorted(
    {f.name for f in _FIELDS if f.attname in _KEPT}
    | set(INDEX_FIELDS)
    | {"title", "organization", "department", "document_number", "issued_on"}
)
_LOCKED_ATTNAMES = [DisclosureRecord._meta.get_field(name).attname for name in _LOCKED_FIELDS]


class _Writer:
    """Writes valid rows in chunks: creates, updates by index number, keywords, counters.

    An update is checked against the record it would overwrite (scope, status) here, a chunk at
    a time; once any row is bad the chunks are still checked (so the report names every row)
    but no longer written.
    """

    def __init__(self, report: ImportReport, opts: _Options) -> None:
        self.report = report
        self.opts = opts
        self.may_edit = editable_statuses(opts.actor)
        self.pending: list[tuple[DisclosureRecord, list[str]]] = []
        self.repeals: list[tuple[int, int, str]] = []  # (row, record id, repealing number)
        self.counters: dict[tuple[str, int], int] = {}
        self.keyword_ids: dict[str, int] = {}  # names seen so far: the vocabulary is small
        self.written: list[tuple[int, int, bool, str]] = []  # (record id, row, created, title)
        self.claimed: set[int] = set()  # records written by this import
        # rows whose key several records have, until the rest of the file has been written
        self.deferred: list[tuple[DisclosureRecord, list[str]]] = []
        self.last_pass = False
        self.file_numbers: dict[str, int] = {}  # the file's index numbers read so far → row
        self.to_number: dict[int, int] = {}  # record id → row: published, no index number
        self.files: list[tuple[int, bool, list[FoundFile]]] = []  # (record id, created, files)
        #: the names of the files each updated record naming files already has, read with its
        #: chunk (`_always_written`) and used again when the files are linked (`_attachments`)
        self.attached: dict[int, set[str]] = {}
        self.chunks = ChunkWriter(self._written)

    def add(self, number: int, record: DisclosureRecord, keywords, repealed_by) -> None:
        record._import_row = number
        record._import_repealed_by = repealed_by
        self.pending.append((record, keywords))
        if len(self.pending) >= CHUNK_SIZE:
            self.flush()

    def _matched_by_key(self, record: DisclosureRecord, by_key) -> Any:
        """The one record a row without 信息索引号 re-imports (issue 18, item 9); None for a new
        one, False (reported) when several records have the row's key."""
        # never a record this import already wrote, nor one a numbered row of the file claims
        olds = [
            old
            for old in by_key.get(stable_key(record), [])
            if old.pk not in self.claimed and old.index_number not in self.file_numbers
        ]
        if len(olds) > 1 and not self.last_pass:
            return _DEFERRED
        if len(olds) > 1:
            self.report.add(
                record._import_row,
                label("title"),
                f"已有 {len(olds)} 条信息的发布机构、文件编号、标题、发文日期与此行相同,"
                "无法判断更新哪一条;请在文件中填写信息索引号。",
            )
            return False
        return olds[0] if olds else None

    def _refusal(self, record: DisclosureRecord, old: DisclosureRecord) -> str | None:
        """Why the row may not overwrite `old`, if it may not (the workflow's rules)."""
        if not self.opts.within(old):
            return (
                f"信息索引号 {old.index_number} 已被您机构范围以外的一条信息使用,不能覆盖;"
                "请核对信息索引号。"
            )
        if self.opts.publish or old.status in self.may_edit:
            return None
        return (
            f"信息索引号 {old.index_number} 的「{old.title}」当前为「{old.get_status_display()}」,"
            "导入只能修改您可编辑的草稿;已发布的信息须由有发布权限的人员勾选「直接发布」导入。"
        )

    def _take_over(self, record: DisclosureRecord, old: DisclosureRecord, now) -> None:
        """The row's content on `old`'s workflow state, as the editing service would save it."""
        values, kept = record.__dict__, old.__dict__  # every field read is in `old.__dict__`
        for name in _KEPT:
            values[name] = kept[name]
        if not record.index_number:  # matched by its key: the number it was given stays
            for name in INDEX_FIELDS:
                values[name] = kept[name]
        record.version = old.version + 1
        record.updated_by_id = self.opts.actor.pk
        record.updated_at = now
        if self.opts.publish:
            record.status = RecordStatus.PUBLISHED
            record.published_by_id = self.opts.actor.pk
            record.published_at = old.published_at or record.published_at or now
            record.withdrawn_by_id = record.withdrawn_at = None
            record.withdrawal_reason = ""
            record.scheduled_publish_at = None
        record._history_user = self.opts.actor
        record._change_reason = f"导入更新(第 {record._import_row} 行)"

    def flush(self) -> None:
        """Check the pending rows against the database; write them unless a row was bad."""
        if not self.pending:
            return
        chunk, self.pending = self.pending, []
        numbers = [r.index_number for r, _ in chunk if r.index_number]
        # locked, as the workflow locks a record it changes: nobody publishes or withdraws one
        # between this check and the commit, so the state kept below is still the state then
        existing = {
            old.index_number: old
            for old in locked_records(_LOCKED_ATTNAMES, index_number__in=numbers)
        }
        by_key = existing_by_key([r for r, _ in chunk if not r.index_number], _LOCKED_ATTNAMES)
        now = timezone.now()
        write = ChunkWrite(revised_at=now, revised_by=self.opts.actor.pk)
        for record, keywords in chunk:
            if record.index_number:
                old = existing.get(record.index_number)
            else:
                old = self._matched_by_key(record, by_key)
                if old is _DEFERRED:
                    self.deferred.append((record, keywords))
                    continue
                if old is False:
                    continue
            if old is not None:
                refusal = self._refusal(record, old)
                if refusal:
                    self.report.add(record._import_row, label("index_number"), refusal)
                    continue
                self._take_over(record, old, now)
                write.old.append(record)
            else:
                record.created_at = record.updated_at = now
                write.new.append(record)
            write.keywords.append((record, keywords))
        if not self.report.ok:
            return
        write.always = _always_written(write.old, publish=self.opts.publish, have=self.attached)
        for record in write.new + write.old:
            if record.index_serial is not None:
                key = (record.index_code, record.index_year)
                self.counters[key] = max(self.counters.get(key, 0), record.index_serial)
        ids = self._keyword_ids({name for _, keywords in write.keywords for name in keywords})
        write.keywords = [(r, [ids[name] for name in names]) for r, names in write.keywords]
        self.chunks.submit(write)

    def _keyword_ids(self, names: set[str]) -> dict[str, int]:
        ids = self.keyword_ids
        missing = names - ids.keys()
        if missing:
            Keyword.objects.bulk_create([Keyword(name=n) for n in missing], ignore_conflicts=True)
            ids.update(Keyword.objects.filter(name__in=missing).values_list("name", "pk"))
        return ids

    def _written(self, write: ChunkWrite) -> None:
        """Account for a written chunk: counts, audit entries, search, numbers, files, 废止依据.

        A row its record already equals (`write.unchanged`) gets no audit entry and no
        re-index; it still claims its record, and its 废止依据 is linked as the file says.
        """
        unchanged = write.unchanged
        self.report.created += len(write.new)
        self.report.updated += len(write.old) - len(unchanged)
        self.report.unchanged += len(unchanged)
        for record in write.new:
            self.written.append((record.pk, record._import_row, True, record.title))
        for record in write.old:
            if record.pk not in unchanged:
                self.written.append((record.pk, record._import_row, False, record.title))
        for record in write.new + write.old:
            self.claimed.add(record.pk)
            if self.opts.publish and not record.index_number:
                self.to_number[record.pk] = record._import_row
            if record._import_files:
                self.files.append((record.pk, record in write.new, record._import_files))
        for record, _ in write.keywords:
            if record.pk not in unchanged:
                self.report.record_ids.append(record.pk)
            if record._import_repealed_by:
                self.repeals.append((record._import_row, record.pk, record._import_repealed_by))

    def flush_deferred(self) -> None:
        """Match the rows set aside as ambiguous, now that every other row is written.

        A row without 信息索引号 can share its key with a record that a numbered row further
        down the file re-imports (a file exported after a first import: the unnumbered row's
        record got a number then, its twin had one all along). Once that row has claimed its
        record, one candidate is left; only rows still ambiguous then are reported.
        """
        self.flush()
        if not self.deferred:
            return
        self.chunks.wait()
        self.last_pass = True
        self.pending, self.deferred = self.deferred, []
        self.flush()

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
        if self.to_number:
            left = assign_index_numbers(record_ids=list(self.to_number))
            self.report.numbered = len(self.to_number) - len(left)
            for pk in left:
                self.report.warn(
                    self.to_number[pk],
                    label("index_number"),
                    "发布机构及其上级机构都没有组织机构代码,未生成信息索引号;"
                    "补填代码后可在后台生成。",
                )
        self._attachments()

    def changed_anything(self) -> bool:
        """Whether the import wrote anything a page may show: a record, a number, a file, a
        废止依据 link or a vocabulary value it created."""
        report = self.report
        return bool(
            report.created
            or report.updated
            or report.numbered
            or report.attachments
            or self.repeals
            or report.created_vocabulary
        )

    def _attachments(self) -> None:
        """Link the rows' files, in order; a re-imported record keeps the files it has."""
        links = [
            (pk, [f for f in files if f.name not in self.attached.get(pk, ())])
            for pk, _, files in self.files
        ]
        self.report.attachments = sum(len(files) for _, files in links)
        if self.opts.commit:
            store_attachments(links, self.opts.stored_files)

    def audit(self, *, filename: str, ip: str | None) -> int:
        """One audit entry per record written (新建 / 修改 / 发布), chained in bulk at the end:
        the chain head is locked only for this, not for the whole import."""
        actor, publish = self.opts.actor, self.opts.publish

        def events():
            for pk, row, created, title in self.written:  # the title as written: no query
                if publish:
                    action = AuditAction.PUBLISH
                else:
                    action = AuditAction.CREATE if created else AuditAction.EDIT
                yield {
                    "action": action,
                    "actor": actor,
                    "target": (_RECORD_TYPE, str(pk), title),
                    "reason": "导入",
                    "ip": ip,
                    "details": {
                        "import": filename,
                        "row": row,
                        "created": created,
                        "status": RecordStatus.PUBLISHED if publish else None,
                    },
                }

        with self.chunks:  # each batch's COPY overlaps the chaining of the next
            insert = partial(self.chunks.insert_later, AuditEntry)
            return record_events(events(), insert=insert, batch_size=CHUNK_SIZE)


#: `_Writer._matched_by_key`: decide this row's record after the rest of the file.
_DEFERRED = object()


def _always_written(
    records: list[DisclosureRecord], *, publish: bool, have: dict[int, set[str]]
) -> set[int]:
    """The records among `records` (updates) written even if their row is otherwise equal to
    them, because the import changes them after the chunk: a file they do not have yet, an
    index number to be assigned at the end (published, none yet), or a 废止依据 naming another
    record than the one they are linked to. Each gets its revision, audit entry and re-index.
    At most two queries a chunk, and only for rows naming files or a 废止依据; the names of the
    files the records have are added to `have`."""
    always = {r.pk for r in records if publish and not r.index_number}
    named = {r.pk: r._import_files for r in records if r._import_files}
    if named:
        for pk, name in Attachment.objects.filter(record_id__in=named).values_list(
            "record_id", "original_name"
        ):
            have.setdefault(pk, set()).add(name)
        always |= {
            pk for pk, files in named.items() if any(f.name not in have.get(pk, ()) for f in files)
        }
    repealing = [r for r in records if r._import_repealed_by]
    if repealing:
        linked = dict(
            DisclosureRecord.objects.filter(
                pk__in={r.repealed_by_id for r in repealing if r.repealed_by_id}
            ).values_list("pk", "index_number")
        )
        always |= {r.pk for r in repealing if linked.get(r.repealed_by_id) != r._import_repealed_by}
    return always


def _check_columns(first: dict[str, Any], report: ImportReport) -> bool:
    fields = {field_for(header) for header in first}
    report.ignored_columns = [label(name) for name in sorted(fields & WORKFLOW)]
    missing = [label(name) for name in REQUIRED if name not in fields]
    if not fields & {"issued_on", "publication_date"}:
        missing.append("发文日期或公开日期")
    if missing:
        report.add(None, "", f"缺少必需的列:{'、'.join(missing)}。")
    return not missing


def _read_and_write(rows, report: ImportReport, opts: _Options) -> _Writer:
    vocab = VocabularyResolver(create_missing=opts.create_missing)
    writer = _Writer(report, opts)
    with writer.chunks:
        _validate_and_write(rows, report, opts, vocab, writer)
    return writer


def _validate_and_write(rows, report, opts: _Options, vocab, writer: _Writer) -> None:
    seen: dict[str, int] = writer.file_numbers
    seen_keys: dict[tuple, int] = {}
    serials: dict[tuple, int] = {}
    checked = False
    for number, raw in rows:
        if not checked:
            report.header = list(raw)
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
                report.keep_row(number, raw)
                continue
            seen[record.index_number] = number
        else:
            key = stable_key(record)
            if key in seen_keys:
                report.add(
                    number,
                    label("title"),
                    f"与第 {seen_keys[key]} 行的发布机构、文件编号、标题、发文日期相同,"
                    "且都没有信息索引号:是同一条信息吗?请删去一行或填写信息索引号。",
                )
                report.keep_row(number, raw)
                continue
            seen_keys[key] = number
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
        # once a row is bad nothing will be kept: the writer only checks the rest
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
    report.matched_vocabulary = {k: v for k, v in vocab.matched.items() if v}
    writer.flush_deferred()
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


def import_limits(**overrides: Any) -> Limits:
    """The limits of `settings` (DISCLOSURE_IMPORT_MAX_ROWS, …), 0 meaning none."""
    values = {
        "rows": settings.DISCLOSURE_IMPORT_MAX_ROWS,
        "columns": settings.DISCLOSURE_IMPORT_MAX_COLUMNS,
        "cell_chars": settings.DISCLOSURE_IMPORT_MAX_CELL_CHARS,
        "seconds": settings.DISCLOSURE_IMPORT_MAX_SECONDS,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Limits(
        rows=values["rows"] or None,
        columns=values["columns"],
        cell_chars=values["cell_chars"],
        seconds=values["seconds"] or None,
    )


#: What `create_missing` may add to the shared vocabularies, and the permission each needs.
_VOCABULARY_PERMISSIONS = [f"disclosure.add_{kind}" for kind in KINDS]


def _refusal(actor: Any, publish: bool, create_missing: bool) -> str | None:
    """Whether `actor` may run this import at all (rows are checked one by one later)."""
    if not holds_permission(actor, IMPORT_PERMISSION):
        return "您没有批量导入公开信息的权限(须有「可批量导入公开信息」)。"
    if publish and not may_publish(actor):
        return "您没有发布权限,不能导入后直接发布;请以草稿导入,经审核后由发布人员发布。"
    if create_missing and not actor.has_perms(_VOCABULARY_PERMISSIONS):
        return "您没有新增机构、目录、主题、体裁的权限,不能自动创建;请管理员先在后台添加。"
    return None


def _folder(directory: str | Path) -> AttachmentFolder:
    try:
        return AttachmentFolder(directory)
    except OSError as exc:
        raise FileProblem(f"附件文件夹 {directory} 不存在或不是文件夹。") from exc


def import_records(
    *,
    source: IO[bytes] | str | Path,
    actor: Any,
    filename: str | None = None,
    fmt: str | None = None,
    commit: bool = False,
    create_missing: bool = False,
    default_category: int | None = None,
    publish: bool = False,
    encoding: str | None = None,
    max_bytes: int | None = None,
    limits: Limits | None = None,
    ip: str | None = None,
    attachments_dir: str | Path | None = None,
    renumber_lost: bool = False,
) -> ImportReport:
    """Validate a file and, with `commit=True` and no problem at all, import every row of it.

    `actor` imports under the workflow's rules (see the module's docstring); `publish` makes the
    rows published instead of drafts, for an actor who may publish. Returns the report in every
    case; raises nothing for bad input. A committed import writes one audit entry per record it
    created or changed and one for the whole (who, file, counts); a refused `commit` is recorded
    too, outside the rolled-back transaction.
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
                publish=publish,
                encoding=encoding,
                max_bytes=max_bytes,
                limits=limits,
                ip=ip,
                attachments_dir=attachments_dir,
                renumber_lost=renumber_lost,
            )
    started = time.monotonic()
    filename = filename or getattr(source, "name", "") or "upload"
    report = ImportReport(filename=str(filename), dry_run=not commit, publish=publish)
    limits = limits or Limits()
    limits.started = started
    stored: list[str] = []
    try:
        refusal = _refusal(actor, publish, create_missing)
        if refusal:
            raise FileProblem(refusal)
        opts = _Options(create_missing, default_category, actor, publish, record_scope(actor))
        opts.renumber_lost, opts.commit, opts.stored_files = renumber_lost, commit, stored
        if attachments_dir is not None:
            opts.folder = _folder(attachments_dir)
        check_size(source, max_bytes=max_bytes)
        rows = read_rows(
            source, fmt=detect_format(str(filename), fmt), encoding=encoding, limits=limits
        )
        with transaction.atomic():
            writer = _read_and_write(rows, report, opts)
            if not report.ok or not commit:
                raise _Rollback
            report.committed = True
            writer.audit(filename=report.filename, ip=ip)
            record_event(
                action=AuditAction.IMPORT,
                actor=actor,
                ip=ip,
                details={
                    "file": report.filename,
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "published": publish,
                    "created_vocabulary": report.created_vocabulary,
                    "numbered": report.numbered,
                    "attachments": report.attachments,
                },
            )
            transaction.on_commit(partial(_reindex_after_commit, report, started))
            # bulk writes send no post_save: every page may show an imported row or name (a
            # file whose every row equals its record changes no page)
            if writer.changed_anything():
                announce_public_change()
    except _Rollback:
        pass
    except FileProblem as exc:
        report.committed = False
        report.add(exc.row, exc.column, str(exc))
    except DatabaseError as exc:
        report.committed = False
        report.add(None, "", f"数据库拒绝了导入:{exc}")
    if not report.committed:
        remove_stored(stored)
        report.record_ids = []
        if not report.ok:
            report.created = report.updated = report.unchanged = 0
        if commit:
            record_event(
                action=AuditAction.IMPORT,
                actor=actor,
                ip=ip,
                reason="导入被拒绝:" + report.summary(),
                details={"file": report.filename, "rows": report.rows, "committed": False},
            )
    return report
