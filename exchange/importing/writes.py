"""The statements that write one chunk of imported records, and where they run.

A chunk is written as: the new records COPY-ed in (ids taken from the table's sequence first),
the existing ones COPY-ed into a staging table, those equal to their record (`COMPARED`) dropped
from it and counted unchanged, the rest updated from it, with their revisions (the state before
the update, where a record has none, copied by the database from the record itself; the new
state from the staging table), the keyword links replaced where the row changes them. On
PostgreSQL the database side of chunk n runs on a thread of its own while the importer validates
chunk n+1: the database's work (heap, TOAST, the indexes) then overlaps Python's, which was the
other half of the wall time. The thread uses the importer's own connection, so everything stays
in the import's single transaction; any statement of the importing thread first waits for the
writer (psycopg2 must not be used by two threads during a COPY). SQLite runs in process and
gains nothing from overlapping: there (and on PostgreSQL through psycopg 3, which has no
`copy_expert`) the statements run inline through the ORM.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from disclosure.models import DisclosureRecord, RecordKeyword
from exchange.pg_copy import copy_available

#: Fields written on update (everything the file can carry).
UPDATE_FIELDS = [
    "title", "index_code", "index_year", "index_serial", "organization", "department",
    "category", "topic", "genre", "document_number", "issued_on", "publication_date",
    "disclosure_period", "disclosure_until", "disclosure_forms", "disclosure_method",
    "non_disclosure_reason", "disclosure_scope", "effective_on", "valid_until", "repealed_on",
    "normative_kind",
    "procedure", "summary", "body", "source", "view_count", "status", "version",
    "withdrawal_reason", "created_by", "updated_by", "submitted_by", "approved_by",
    "published_by", "withdrawn_by", "submitted_at", "approved_at", "published_at",
    "withdrawn_at", "created_at", "updated_at",
]  # fmt: skip
_INSERT_FIELDS = [f for f in DisclosureRecord._meta.concrete_fields if not f.primary_key]
_UPDATE_COLUMNS = [DisclosureRecord._meta.get_field(name) for name in UPDATE_FIELDS]
#: What makes a re-imported row a change: everything an update writes but the update's own
#: bookkeeping (version, who and when) and who published a record that stays published. A row
#: equal to its record on these, with the same keywords in the same order, is left alone: no
#: new version, revision or audit entry, so importing a file twice is the same as once.
COMPARED = [
    f
    for f in _UPDATE_COLUMNS
    if f.name not in {"version", "updated_by", "updated_at", "published_by", "published_at"}
]
PAGE_SIZE = 500

_HISTORY = DisclosureRecord.history.model
#: The record's fields a revision copies (all but 浏览次数 and 更新时间).
_TRACKED = list(_HISTORY.tracked_fields)
_REVISION_COLUMNS = ("history_date", "history_type", "history_user_id", "history_change_reason")
BASELINE_REASON = "原始版本(导入)"


@dataclass
class ChunkWrite:
    """One chunk: records to create, records to update (pk set), and their keyword ids."""

    new: list[DisclosureRecord] = field(default_factory=list)
    old: list[DisclosureRecord] = field(default_factory=list)
    keywords: list[tuple[DisclosureRecord, list[int]]] = field(default_factory=list)
    #: when the updates were made and by whom: each record of `old` gets a revision (its
    #: `_change_reason`), and the state before it if it has none (`ensure_baseline_revision`)
    revised_at: datetime.datetime | None = None
    revised_by: int | None = None
    #: records of `old` written even if the row equals them (`service._always_written`)
    always: set[int] = field(default_factory=set)
    #: filled by the writer: the records of `old` the row left as they were (`COMPARED`)
    unchanged: set[int] = field(default_factory=set)


def revision(record: DisclosureRecord, *, date, kind: str, user_id, reason: str) -> dict:
    """A simple-history revision of `record`, as `bulk_history_create` builds it."""
    values = record.__dict__
    row = {f.attname: values[f.attname] for f in _TRACKED}
    row.update(
        history_date=date,
        history_type=kind,
        history_user_id=user_id,
        history_change_reason=reason,
    )
    return row


def _baseline_moment(write: ChunkWrite) -> datetime.datetime:
    """The baseline revision comes just before the update's own."""
    return write.revised_at - datetime.timedelta(microseconds=1)


def _prep(records: list[DisclosureRecord], fields, real) -> list[list[Any]]:
    return [[f.get_db_prep_save(getattr(r, f.attname), real) for f in fields] for r in records]


def _links(pairs: list[tuple[DisclosureRecord, list[int]]]) -> list[list[int]]:
    return [
        [record.pk, keyword_id, position]
        for record, keyword_ids in pairs
        for position, keyword_id in enumerate(keyword_ids)
    ]


def _encoder(field) -> Callable[[Any], str]:
    """How COPY's text format spells a value of this field (NULL is `\\N`)."""
    kind = field.get_internal_type()
    if kind in ("CharField", "TextField"):
        return _copy_text
    if kind == "JSONField":
        return lambda value: _copy_text(json.dumps(value, ensure_ascii=False))
    if kind == "DateTimeField":
        return _copy_moment
    if kind == "DateField":
        return datetime.date.isoformat
    if kind == "BooleanField":
        return lambda value: "t" if value else "f"
    return str  # integers and foreign keys


def _copy_text(value: str) -> str:
    if "\\" in value or "\n" in value or "\r" in value or "\t" in value:
        value = (
            value.replace("\\", "\\\\")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
            .replace("\t", "\\t")
        )
    return value


def _copy_moment(value: datetime.datetime) -> str:
    if timezone.is_naive(value):  # as Django stores a naive moment: in the current time zone
        value = timezone.make_aware(value)
    return value.isoformat()


def _encoders(fields) -> list[tuple[str, Callable[[Any], str]]]:
    return [(f.attname, _encoder(f)) for f in fields]


def _copy_rows(records: list[DisclosureRecord], encoders) -> bytes:
    """The records in COPY's text format: tab-separated, one line each."""
    return _copy_values([record.__dict__ for record in records], encoders)


def _copy_values(rows: list[dict[str, Any]], encoders) -> bytes:
    lines = []
    for values in rows:
        cells = []
        for name, encode in encoders:
            value = values[name]
            cells.append("\\N" if value is None else encode(value))
        lines.append("\t".join(cells))
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _copy_links(pairs: list[tuple[DisclosureRecord, list[int]]]) -> bytes:
    lines = [f"{pk}\t{keyword}\t{position}" for pk, keyword, position in _links(pairs)]
    lines.append("")
    return "\n".join(lines).encode("utf-8")


@dataclass
class _PostgresChunk:
    """A chunk as COPY payloads, built in the importer's thread; `run` sends them."""

    new: bytes | None
    old: bytes | None
    links: bytes | None
    #: the set the writer fills (`ChunkWrite.unchanged`)
    unchanged: set[int]
    revised_at: datetime.datetime | None = None
    revised_by: int | None = None


class _PostgresStatements:
    """COPY the new rows straight into the table (their ids taken from its sequence first);
    COPY the rows that update a record into a temporary table, drop from it the rows equal to
    their record (`COMPARED`, keywords too), and UPDATE … FROM the rest, the revisions INSERT …
    SELECT-ed around the UPDATE (so the body never travels back to Python); replace the keyword
    links of those whose staged array differs from their links.

    COPY skips parsing a statement of thousands of literals, and building its text is cheap
    Python; `raw` values, as loaddata saves them (no `pre_save`, so the file's 创建时间 and
    更新时间 are kept).
    """

    def __init__(self, real) -> None:
        quote = real.ops.quote_name
        self.real = real
        self.table = quote(DisclosureRecord._meta.db_table)
        self.links_table = quote(RecordKeyword._meta.db_table)
        self.all_fields = DisclosureRecord._meta.concrete_fields
        columns = ", ".join(quote(f.column) for f in self.all_fields)
        pk = quote("id")
        self.copy_new = f"COPY {self.table} ({columns}) FROM STDIN"
        # the staging table holds the updated records whole, with the row, the revision's
        # reason, the keyword ids in order and whether to write the row even if it is equal:
        # the UPDATE takes the file's fields from it, the revision every tracked one
        # IF NOT EXISTS: an earlier import in the same (outer) transaction may have made it;
        # the columns' compression as the table's (a body staged with pglz, the default, is
        # compressed at twice LZ4's cost and then stored so in the record and its revision), and
        # their defaults, should the table ever have a column the model does not
        extra = ("import_row", "import_reason", "import_keywords", "import_always")
        self.create_staging = (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS import_staging "
            f"(LIKE {self.table} INCLUDING COMPRESSION INCLUDING DEFAULTS, import_row integer, "
            f"import_reason text, import_keywords bigint[], import_always boolean) "
            f"ON COMMIT DROP"
        )
        self.copy_old = f"COPY import_staging ({columns}, {', '.join(extra)}) FROM STDIN"  # noqa: S608
        compared = [quote(f.column) for f in COMPARED]

        def keyword_ids(alias: str) -> str:
            """The keyword ids of record `alias.id` in order, as the staged array spells them."""
            return (
                f"ARRAY(SELECT l.{quote('keyword_id')}::bigint FROM {self.links_table} l "  # noqa: S608
                f"WHERE l.{quote('record_id')} = {alias}.{pk} ORDER BY l.{quote('position')})"
            )

        # a scalar subquery per staged row (the planner cannot turn it into a join, which it
        # did with EXISTS: a hash of the whole table, keywords read for every record): one
        # probe of the primary key, and the keywords read only where the fields are equal
        self.drop_unchanged = (
            f"DELETE FROM import_staging s WHERE NOT s.import_always "  # noqa: S608
            f"AND (SELECT ({', '.join('r.' + c for c in compared)}) IS NOT DISTINCT FROM "
            f"({', '.join('s.' + c for c in compared)}) AND s.import_keywords = {keyword_ids('r')} "
            f"FROM {self.table} r WHERE r.{pk} = s.{pk}) RETURNING s.{pk}"
        )
        history = quote(_HISTORY._meta.db_table)
        tracked = [quote(f.column) for f in _TRACKED]
        into = f"INSERT INTO {history} ({', '.join(tracked)}, "  # noqa: S608
        into += ", ".join(quote(c) for c in _REVISION_COLUMNS) + ")"
        # the state before the update, for records without any revision, in the file's order
        self.baseline = (
            f"{into} SELECT {', '.join('r.' + c for c in tracked)}, %s, '+', NULL, %s "  # noqa: S608
            f"FROM import_staging s JOIN {self.table} r ON r.{pk} = s.{pk} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {history} h WHERE h.{pk} = s.{pk}) "
            f"ORDER BY s.import_row"
        )
        self.revise = (
            f"{into} SELECT {', '.join('s.' + c for c in tracked)}, %s, '~', %s, "  # noqa: S608
            f"s.import_reason FROM import_staging s ORDER BY s.import_row"
        )
        assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in _UPDATE_COLUMNS)
        self.update = (
            f"UPDATE {self.table} SET {assignments} FROM import_staging s "  # noqa: S608
            f"WHERE {self.table}.{pk} = s.{pk}"
        )
        link_columns = ", ".join(quote(c) for c in ("record_id", "keyword_id", "position"))
        # only the records whose row changes their keywords (a re-import mostly keeps them)
        # have their links replaced, by ids as one array: `IN (SELECT …)` of a table without
        # statistics was hashed against the whole links table, read once a chunk
        self.relinked = (
            f"SELECT s.{pk} FROM import_staging s "  # noqa: S608
            f"WHERE s.import_keywords IS DISTINCT FROM {keyword_ids('s')}"
        )
        self.unlink = (
            f"DELETE FROM {self.links_table} "  # noqa: S608
            f"WHERE {quote('record_id')} = ANY(%s::bigint[])"
        )
        self.relink = (
            f"INSERT INTO {self.links_table} ({link_columns}) "  # noqa: S608
            f"SELECT s.{pk}, k.keyword_id, k.n - 1 FROM import_staging s "
            f"CROSS JOIN LATERAL unnest(s.import_keywords) WITH ORDINALITY AS k(keyword_id, n) "
            f"WHERE s.{pk} = ANY(%s::bigint[])"
        )
        self.copy_links = f"COPY {self.links_table} ({link_columns}) FROM STDIN"
        self.new_encoders = _encoders(self.all_fields)
        self.old_encoders = [
            *self.new_encoders,
            ("_import_row", str),
            ("_change_reason", _copy_text),
            ("_import_keywords", lambda ids: "{" + ",".join(map(str, ids)) + "}"),
            ("_import_always", lambda always: "t" if always else "f"),
        ]
        self.staging = False

    def prepare(self, write: ChunkWrite, cursor) -> _PostgresChunk:
        """Ids for the new records, and every payload: the Python side of the chunk."""
        if write.new:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [DisclosureRecord._meta.db_table, len(write.new)],
            )
            for record, (pk,) in zip(write.new, cursor.fetchall(), strict=True):
                record.pk = pk
        created = {id(record) for record in write.new}
        new_links = []
        for record, keyword_ids in write.keywords:
            if id(record) in created:
                new_links.append((record, keyword_ids))
            else:
                record._import_keywords = keyword_ids
                record._import_always = record.pk in write.always
        links = _copy_links(new_links)
        return _PostgresChunk(
            new=_copy_rows(write.new, self.new_encoders) if write.new else None,
            old=_copy_rows(write.old, self.old_encoders) if write.old else None,
            links=links if len(links) > 1 else None,
            unchanged=write.unchanged,
            revised_at=write.revised_at,
            revised_by=write.revised_by,
        )

    def run(self, chunk: _PostgresChunk, cursor) -> None:
        """The database side of the chunk: C and waiting, so it overlaps Python's next chunk."""
        if chunk.new:
            cursor.copy_expert(self.copy_new, io.BytesIO(chunk.new))
        if chunk.old:
            if not self.staging:
                # these statements run per chunk, each in milliseconds: compiling them (the
                # planner's cost of the staged rows can pass jit_above_cost) took a second each
                cursor.execute("SET LOCAL jit = off")
                cursor.execute(self.create_staging)
                self.staging = True
            cursor.execute("TRUNCATE import_staging")
            cursor.copy_expert(self.copy_old, io.BytesIO(chunk.old))
            cursor.execute(self.drop_unchanged)
            chunk.unchanged.update(pk for (pk,) in cursor.fetchall())
            if chunk.revised_at is not None:
                earlier = chunk.revised_at - datetime.timedelta(microseconds=1)
                cursor.execute(self.baseline, [earlier, BASELINE_REASON])
            cursor.execute(self.update)
            if chunk.revised_at is not None:
                cursor.execute(self.revise, [chunk.revised_at, chunk.revised_by])
            cursor.execute(self.relinked)
            relinked = [pk for (pk,) in cursor.fetchall()]
            if relinked:
                cursor.execute(self.unlink, [relinked])
                cursor.execute(self.relink, [relinked])
        if chunk.links:
            cursor.copy_expert(self.copy_links, io.BytesIO(chunk.links))


def write_with_orm(write: ChunkWrite, real) -> None:
    """The same writes through the ORM's raw insert and prepared statements, inline."""
    quote = real.ops.quote_name
    table = quote(DisclosureRecord._meta.db_table)
    batch = max(real.ops.bulk_batch_size(_INSERT_FIELDS, write.new), 1)  # 0 on PostgreSQL for []
    for start in range(0, len(write.new), batch):
        part = write.new[start : start + batch]
        returned = DisclosureRecord.objects._insert(
            part, fields=_INSERT_FIELDS, returning_fields=[DisclosureRecord._meta.pk], raw=True
        )
        for record, (pk,) in zip(part, returned, strict=True):
            record.pk = pk
    write.unchanged.update(_unchanged(write))
    changed = [r for r in write.old if r.pk not in write.unchanged]
    links_table = quote(RecordKeyword._meta.db_table)
    with real.cursor() as cursor:
        if changed and write.revised_at is not None:
            _baselines_with_orm(changed, write, real, cursor)
        if changed:
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in _UPDATE_COLUMNS)
            values = _prep(changed, _UPDATE_COLUMNS, real)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s",  # noqa: S608
                [[*row, r.pk] for r, row in zip(changed, values, strict=True)],
            )
            ids = [r.pk for r in changed]
            for start in range(0, len(ids), PAGE_SIZE):  # at most 999 parameters a statement
                part = ids[start : start + PAGE_SIZE]
                cursor.execute(
                    f"DELETE FROM {links_table} WHERE {quote('record_id')} IN "  # noqa: S608
                    f"({', '.join(['%s'] * len(part))})",
                    part,
                )
        if changed and write.revised_at is not None:
            insert_rows(
                _HISTORY,
                [
                    revision(
                        r,
                        date=write.revised_at,
                        kind="~",
                        user_id=write.revised_by,
                        reason=r._change_reason,
                    )
                    for r in changed
                ],
            )
        links = _links([(r, ids) for r, ids in write.keywords if r.pk not in write.unchanged])
        if links:
            columns = ", ".join(quote(c) for c in ("record_id", "keyword_id", "position"))
            cursor.executemany(
                f"INSERT INTO {links_table} ({columns}) VALUES (%s, %s, %s)",  # noqa: S608
                links,
            )


def _unchanged(write: ChunkWrite) -> set[int]:
    """The records of `write.old` their row leaves as they are (`COMPARED`, keywords in order),
    read back a page at a time: the ORM path's form of the staging table's DELETE."""
    wanted = {r.pk: (r, ids) for r, ids in write.keywords if r.pk not in write.always}
    candidates = [r.pk for r in write.old if r.pk in wanted]
    names = [f.attname for f in COMPARED]
    unchanged = set()
    for start in range(0, len(candidates), PAGE_SIZE):
        part = candidates[start : start + PAGE_SIZE]
        keywords: dict[int, list[int]] = {pk: [] for pk in part}
        links = RecordKeyword.objects.filter(record_id__in=part).order_by("record_id", "position")
        for pk, keyword_id in links.values_list("record_id", "keyword_id"):
            keywords[pk].append(keyword_id)
        stored = DisclosureRecord.objects.filter(pk__in=part).values_list("pk", *names)
        for pk, *values in stored:
            record, keyword_ids = wanted[pk]
            if keyword_ids == keywords[pk] and values == [getattr(record, n) for n in names]:
                unchanged.add(pk)
    return unchanged


def _baselines_with_orm(changed: list[DisclosureRecord], write: ChunkWrite, real, cursor) -> None:
    """The state before the update of records without any revision, copied by the database
    (the record is never read whole into Python): one INSERT … SELECT a page of ids."""
    quote = real.ops.quote_name
    table = quote(DisclosureRecord._meta.db_table)
    history = quote(_HISTORY._meta.db_table)
    tracked = ", ".join(quote(f.column) for f in _TRACKED)
    meta = ", ".join(quote(c) for c in _REVISION_COLUMNS)
    earlier = real.ops.adapt_datetimefield_value(_baseline_moment(write))
    ids = [r.pk for r in changed]
    for start in range(0, len(ids), PAGE_SIZE // 2):  # twice in the statement
        part = ids[start : start + PAGE_SIZE // 2]
        marks = ", ".join(["%s"] * len(part))
        cursor.execute(
            f"INSERT INTO {history} ({tracked}, {meta}) "  # noqa: S608
            f"SELECT {tracked}, %s, '+', NULL, %s FROM {table} "
            f"WHERE {quote('id')} IN ({marks}) AND {quote('id')} NOT IN "
            f"(SELECT {quote('id')} FROM {history} WHERE {quote('id')} IN ({marks})) "
            f"ORDER BY {quote('id')}",
            [earlier, BASELINE_REASON, *part, *part],
        )


def insert_rows(model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert new rows of one model from {attname: value} dicts, in order, ids from the table's
    sequence: COPY where it is available, no model instance built for it (an import's
    revisions), `bulk_create` elsewhere."""
    if rows and not _copy_insert(model, rows):
        model.objects.bulk_create([model(**row) for row in rows])


def _copy_insert(model: Any, rows: list[dict[str, Any]]) -> bool:
    """COPY the rows in if the connection can; False if it cannot."""
    real = connections[DEFAULT_DB_ALIAS]
    if not copy_available(real):
        return False
    statement, payload = _copy_payload(real, model, rows)
    with real.wrap_database_errors, real.cursor() as cursor:
        _send_copy(statement, payload, cursor)
    return True


def _copy_payload(real, model: Any, rows: list[dict[str, Any]]) -> tuple[str, bytes]:
    """The COPY statement that inserts new rows of `model` (ids from its sequence), and the
    rows in its text format."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote = real.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608
    return statement, _copy_values(rows, _encoders(fields))


def _send_copy(statement: str, payload: bytes, cursor) -> None:
    cursor.copy_expert(statement, io.BytesIO(payload))


class ChunkWriter:
    """Runs each chunk's writes; on PostgreSQL the database works one chunk behind the caller.

    Use it as a context manager around the whole import. `submit` prepares a chunk (ids, COPY
    payloads) and starts writing it on a thread; `wait` waits for it. Meanwhile any statement
    the caller's thread runs on the connection first waits for the writing to end (an execute
    wrapper): psycopg2 must not be used from two threads during a COPY. A failure in the
    thread is raised, as Django's database error, by the next `submit`, `wait` or statement;
    `on_written` is called in the caller's thread for every chunk written.
    """

    def __init__(self, on_written: Callable[[ChunkWrite], None]) -> None:
        self.real = connections[DEFAULT_DB_ALIAS]  # not the proxy: consulted for every value
        self.on_written = on_written
        self.postgres = _PostgresStatements(self.real) if copy_available(self.real) else None
        self.thread: threading.Thread | None = None
        self.in_flight: ChunkWrite | None = None
        self.failure: BaseException | None = None
        self.exits = contextlib.ExitStack()

    def __enter__(self) -> ChunkWriter:
        if self.postgres is not None:
            self.exits.enter_context(self.real.execute_wrapper(self._after_writing))
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                self.wait()
            elif self.thread is not None:  # already failing: let the thread end, quietly
                self.thread.join()
                self.thread = None
        finally:
            self.exits.close()

    def _after_writing(self, execute, sql, params, many, context):
        self.wait()
        return execute(sql, params, many, context)

    def submit(self, write: ChunkWrite) -> None:
        if self.postgres is None:
            write_with_orm(write, self.real)
            self.on_written(write)
            return
        with self.real.cursor() as cursor:
            chunk = self.postgres.prepare(write, cursor)
        self.wait()
        self._start(partial(self.postgres.run, chunk), write)

    def insert_later(self, model: Any, rows: list[dict[str, Any]]) -> None:
        """`insert_rows`, the COPY sent from the writing thread: the caller builds the next
        batch meanwhile (an import's audit entries, while their hash chain is computed)."""
        if self.postgres is None or not rows:
            insert_rows(model, rows)
            return
        statement, payload = _copy_payload(self.real, model, rows)
        self.wait()
        self._start(partial(_send_copy, statement, payload))

    def _start(self, work: Callable[[Any], None], write: ChunkWrite | None = None) -> None:
        self.in_flight = write
        self.thread = threading.Thread(
            target=self._run, args=(work, self.real.connection), name="import-writer"
        )
        self.thread.start()

    def _run(self, work: Callable[[Any], None], raw_connection) -> None:
        try:
            with self.real.wrap_database_errors, raw_connection.cursor() as cursor:
                work(cursor)
        except BaseException as exc:  # noqa: BLE001 - raised in the importer's thread
            self.failure = exc

    def wait(self) -> None:
        if self.thread is None:
            return
        self.thread.join()
        self.thread, write, self.in_flight = None, self.in_flight, None
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure
        if write is not None:
            self.on_written(write)
