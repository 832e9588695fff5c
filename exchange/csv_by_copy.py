"""The records CSV made by PostgreSQL itself: `COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`.

Formatting a million rows in Python costs ~47 µs a row (docs/benchmarks.md); here the database
formats every cell while it reads the row, and Python only moves bytes. The output is
byte-identical to the Python writer (`exchange.record_rows._record_text_chunks` through
`csv.writer`; both are generated from one row specification, `exchange.record_columns`),
which tests/exchange/test_csv_by_copy.py checks on awkward data:

- cells are neutralized against formulas in SQL (a leading apostrophe, as `neutralize`);
- an empty cell is sent as NULL, because COPY quotes an empty string and `csv.writer` does not;
- both quote a cell exactly when it holds a comma, a double quote, CR or LF;
- COPY ends rows with LF, `csv.writer` with CRLF: the protocol sends one CopyData message per
  row ("messages sent from the backend will always correspond to single data rows"), so each
  message's final LF becomes CRLF and LFs inside quoted cells stay as they are;
- dates and moments are spelled as Python's `isoformat()` in the current time zone.

Rows are read in keyset chunks of ids, as the Python path does, so no transaction stays open
while a slow client downloads.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from disclosure.models import (
    Attachment,
    Category,
    DisclosureRecord,
    Genre,
    Keyword,
    Organization,
    RecordKeyword,
    Topic,
)
from disclosure.selectors import public_records
from exchange.pg_copy import copy_available
from exchange.record_columns import (
    RECORD_COLUMNS,
    Choice,
    ChoiceList,
    Kind,
    RecordColumn,
    Related,
    Vocabulary,
)
from exchange.record_rows import record_link_parts

T = TypeVar("T")
J = TypeVar("J")
FORMULA_FIRST_SQL = "('=', '+', '-', '@', E'\\t', E'\\r')"


def available(queryset: QuerySet) -> bool:
    """COPY is used on PostgreSQL through psycopg2 (the pinned driver), else the Python writer."""
    return copy_available(connections[queryset.db])


def _text(expression: str) -> str:
    """Neutralized text, NULL when empty (COPY writes NULL as nothing, '' as "").

    Only ever applied to a column of the fenced inner query: the expression is repeated, and
    repeating a sub-select or a CASE would compute it up to four times.
    """
    return (
        f"NULLIF(CASE WHEN left({expression}, 1) IN {FORMULA_FIRST_SQL} "
        f"THEN '''' || {expression} ELSE {expression} END, '')"
    )


def _date(expression: str) -> str:
    return f"to_char({expression}, 'YYYY-MM-DD')"


def _moment(expression: str) -> str:
    """`datetime.astimezone(tz).isoformat()`, the session being in the current time zone.

    Microseconds only when non-zero; the offset as ±HH:MM, with seconds only when non-zero
    (local mean time, before 1901).
    """
    offset = f"extract(timezone FROM {expression})::int"
    return (
        f"replace(to_char({expression}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
        f" || to_char({expression}, 'TZH:TZM')"
        f" || CASE WHEN mod({offset}, 60) = 0 THEN '' "
        f"ELSE ':' || lpad(mod(abs({offset}), 60)::text, 2, '0') END"
    )


class _Literals:
    """Values bound as named parameters: COPY takes none, so the SQL is `mogrify`-ed."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def __call__(self, value: object) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"%({name})s"


def _label(expression: str, choices: list[tuple[str, str]], literal: _Literals) -> str:
    """A choice's label (the code itself when it is not a known choice)."""
    whens = " ".join(f"WHEN {literal(value)} THEN {literal(label)}" for value, label in choices)
    return f"CASE {expression} {whens} ELSE {expression} END"


def _vocabulary(name: str, alias: str, column: str) -> tuple[list[str], str]:
    """The joins and the expression of a `Vocabulary` column (as `record_rows._Vocabulary`)."""
    on = f"ON {alias}.id = r.{column}"
    if name == "topics":  # parent--child
        joins = [
            f"LEFT JOIN {Topic._meta.db_table} {alias} {on}",
            f"LEFT JOIN {Topic._meta.db_table} {alias}_p ON {alias}_p.id = {alias}.parent_id",
        ]
        return joins, (
            f"CASE WHEN {alias}.parent_id IS NULL THEN {alias}.name "
            f"ELSE {alias}_p.name || '--' || {alias}.name END"
        )
    if name == "categories":
        return [f"LEFT JOIN category_paths {alias} {on}"], f"{alias}.path"
    user_model = get_user_model()
    table, value = {
        "organizations": (Organization._meta.db_table, "name"),
        "genres": (Genre._meta.db_table, "name"),
        "index_numbers": (DisclosureRecord._meta.db_table, "index_number"),
        "users": (
            user_model._meta.db_table,
            user_model._meta.get_field(user_model.USERNAME_FIELD).column,
        ),
    }[name]
    return [f"LEFT JOIN {table} {alias} {on}"], f"{alias}.{value}"


def _inner(
    column: RecordColumn, literal: _Literals, public: str, in_chunk: str
) -> tuple[list[str], str]:
    """The joins and the inner query's expression of one column: its value, read once."""
    via, field = column.via, DisclosureRecord._meta.get_field(column.source).column
    alias = f"j_{column.name}"
    if via is None:
        return [], f"r.{field}"
    if isinstance(via, Choice):
        return [], _label(f"r.{field}", via.choices.choices, literal)
    if isinstance(via, ChoiceList):
        return [], (
            f"(SELECT string_agg({_label('e.code', via.choices.choices, literal)}, "  # noqa: S608
            f"{literal(column.separator)} ORDER BY e.n) FROM jsonb_array_elements_text("
            f"CASE WHEN jsonb_typeof(r.{field}) = 'array' THEN r.{field} END) "
            "WITH ORDINALITY AS e(code, n))"
        )
    if isinstance(via, Vocabulary):
        return _vocabulary(via.name, alias, field)
    if isinstance(via, Related):
        return [f"LEFT JOIN related_{via.name} {alias} ON {alias}.record_id = r.id"], (
            f"{alias}.names"
        )
    before, after = record_link_parts()
    within = in_chunk.format(id="p.id")
    return [], (
        f"CASE WHEN r.id IN (SELECT p.id FROM ({public}) p WHERE {within}) "  # noqa: S608
        f"THEN {literal(before)} || r.id || {literal(after)} END"
    )


def _outer(column: RecordColumn, literal: _Literals) -> str:
    """The column's cell spelled from the inner query `v`, as `record_rows._text_of`."""
    value = f'v."{column.name}"'
    if column.kind is Kind.DATE:
        if column.if_empty:
            return (
                f"CASE WHEN {value} IS NULL THEN {literal(column.if_empty)} ELSE {_date(value)} END"
            )
        return _date(value)
    if column.kind is Kind.MOMENT:
        return _moment(value)
    if column.kind is Kind.NUMBER:
        return f"{value}::text"
    return _text(value)  # TEXT, and a LIST the inner query already joined


def _related(name: str, separator: str, literal: _Literals, in_chunk: str) -> str:
    """The CTE of a `Related` column: the chunk's names per record, in their order."""
    if name == "keywords":
        source = (
            f"SELECT rk.record_id, k.name, rk.position, rk.id "  # noqa: S608 - table names only
            f"FROM {RecordKeyword._meta.db_table} rk "
            f"JOIN {Keyword._meta.db_table} k ON k.id = rk.keyword_id "
            f"WHERE {in_chunk.format(id='rk.record_id')}"
        )
    else:
        source = (
            f"SELECT a.record_id, a.title, a.position, a.id "  # noqa: S608 - table names only
            f"FROM {Attachment._meta.db_table} a "
            f"WHERE {in_chunk.format(id='a.record_id')}"
        )
    return (
        f"related_{name} AS (SELECT record_id, string_agg(name, {literal(separator)} "  # noqa: S608
        f"ORDER BY position, id) AS names FROM ({source}) AS s(record_id, name, position, id) "
        "GROUP BY record_id)"
    )


def _select(in_chunk: str, public: str) -> tuple[str, dict[str, object]]:
    """One chunk's SELECT and its named parameters, generated from RECORD_COLUMNS.

    `in_chunk` is a condition on `{id}`, a record id; `public` the SELECT of the ids the public
    may see. The inner query reads each value once (`OFFSET 0` keeps the planner from merging
    it into the outer one, which would repeat sub-selects and CASEs in every cell that spells
    them); keywords and attachment names are aggregated once per chunk and joined rather than
    looked up row by row.
    """
    category = Category._meta.db_table
    literal = _Literals()
    inner, joins, ctes = ['r.id AS "id"'], [], []
    for column in RECORD_COLUMNS:
        more, expression = _inner(column, literal, public, in_chunk)
        inner.append(f'{expression} AS "{column.name}"')
        joins += more
        if isinstance(column.via, Related):
            ctes.append(_related(column.via.name, column.separator, literal, in_chunk))
    cells = [_outer(column, literal) for column in RECORD_COLUMNS]
    sql = (
        f"WITH RECURSIVE category_paths(id, path) AS ("  # noqa: S608 - table names only
        f"SELECT id, name::text FROM {category} WHERE parent_id IS NULL UNION ALL "
        f"SELECT c.id, p.path || ' / ' || c.name FROM {category} c "
        f"JOIN category_paths p ON c.parent_id = p.id), {', '.join(ctes)} "
        f"SELECT {', '.join(cells)} FROM (SELECT {', '.join(inner)} "
        f"FROM {DisclosureRecord._meta.db_table} r {' '.join(joins)} "
        f"WHERE {in_chunk.format(id='r.id')} ORDER BY r.id OFFSET 0) AS v ORDER BY v.id"
    )
    return sql, literal.values


def _public_ids(using: str) -> str:
    """The SELECT of the ids the public may see now (the one visibility rule, as SQL text):
    the export's link column names a record's page only for them."""
    sql, params = public_records().order_by().values("id").query.sql_with_params()
    with connections[using].cursor() as cursor:
        return cursor.mogrify(sql, params).decode().replace("%", "%%")


class _Rows:
    """The file object COPY writes to: psycopg2 calls `write` once per CopyData message."""

    def __init__(self) -> None:
        self.rows: list[bytes] = []
        self.write = self.rows.append


def record_csv_chunks(
    queryset: QuerySet, *, chunk_size: int, workers: int = 2
) -> Iterator[tuple[int, bytes]]:
    """(number of rows, CSV bytes with CRLF row ends) per keyset chunk of `queryset`'s records.

    Outside a transaction `workers` connections each build a chunk at the same time (the
    database's work is most of the cost) and the chunks are sent in order. Inside a transaction
    other connections would not see its uncommitted rows, so the chunks are read one by one.
    Which of the two is decided when reading starts, not when the stream is made.
    """
    copy = _ChunkCopy(queryset)
    chunks = _chunk_ids(queryset, chunk_size=chunk_size)
    if workers < 2 or connections[queryset.db].in_atomic_block:
        yield from (copy(ids) for ids in chunks)
    else:
        yield from _in_order(chunks, copy, using=queryset.db, workers=workers)


def _chunk_ids(queryset: QuerySet, *, chunk_size: int) -> Iterator[list[int]]:
    ids = queryset.order_by("id").values_list("id", flat=True)
    last_id = 0
    while chunk := list(ids.filter(id__gt=last_id)[:chunk_size]):
        last_id = chunk[-1]
        yield chunk


class _ChunkCopy:
    """Called with a chunk's ids (ascending), returns (rows, CSV bytes) of those records."""

    def __init__(self, queryset: QuerySet) -> None:
        self.using = queryset.db
        self.tz = timezone.get_current_timezone_name()
        public = _public_ids(self.using)
        select, self.values = _select("{id} BETWEEN %(first)s AND %(last)s", public)
        self.by_range = f"COPY ({select}) TO STDOUT WITH (FORMAT csv)"
        select, _ = _select("{id} = ANY(%(ids)s)", public)
        self.by_ids = f"COPY ({select}) TO STDOUT WITH (FORMAT csv)"

    def __call__(self, ids: list[int]) -> tuple[int, bytes]:
        # every id in a dense run belongs to the chunk, so a range scan finds exactly them
        if ids[-1] - ids[0] + 1 == len(ids):
            template, bounds = self.by_range, {"first": ids[0], "last": ids[-1]}
        else:
            template, bounds = self.by_ids, {"ids": ids}
        sink = _Rows()
        connection = connections[self.using]
        with transaction.atomic(using=self.using), connection.cursor() as cursor:
            # JIT-compiling these ~40 expressions takes seconds per chunk, far more than it
            # saves; the joins are lookups best made in the order written (planning every order
            # took 17 ms a chunk); moments are spelled in the current time zone. Inside a
            # caller's transaction this block is only a savepoint, which keeps settings made in
            # it: they are put back, or Django would read the caller's moments 8 hours off.
            cursor.execute(
                "SELECT current_setting('jit'), current_setting('join_collapse_limit'), "
                "current_setting('TimeZone')"
            )
            saved = cursor.fetchone()
            cursor.execute(_SETTINGS, ["off", "1", self.tz])
            statement = cursor.mogrify(template, {**self.values, **bounds}).decode()
            with connection.wrap_database_errors:
                cursor.copy_expert(statement, sink)
            cursor.execute(_SETTINGS, list(saved))
        rows = sink.rows
        # fewer rows than ids when a record was deleted since the ids were read
        if len(rows) > len(ids) or not all(row[-1] == 10 for row in rows):
            raise RuntimeError("COPY did not send one message per row")  # protocol changed
        return len(rows), b"\r\n".join([memoryview(row)[:-1] for row in rows]) + b"\r\n"


_SETTINGS = (
    "SELECT set_config('jit', %s, true), set_config('join_collapse_limit', %s, true), "
    "set_config('TimeZone', %s, true)"
)


_DONE = object()


def _in_order(
    jobs: Iterator[J], work: Callable[[J], T], *, using: str, workers: int
) -> Iterator[T]:
    """`work(job)` for each job on `workers` threads, results in the order of the jobs.

    Job k goes to thread k mod `workers`, which holds at most one job and one result, so at most
    2 × `workers` results are in memory. Each thread has its own database connection and
    closes it when done; when the reader stops early (a client hung up) the threads stop after
    the job in hand. An exception in a job is raised to the reader at that job's turn.
    """
    inboxes: list[queue.SimpleQueue] = [queue.SimpleQueue() for _ in range(workers)]
    outboxes: list[queue.SimpleQueue] = [queue.SimpleQueue() for _ in range(workers)]

    def serve(inbox: queue.SimpleQueue, outbox: queue.SimpleQueue) -> None:
        try:
            while (job := inbox.get()) is not _DONE:
                try:
                    outbox.put(work(job))
                except Exception as exc:  # noqa: BLE001 - raised to the reader in turn
                    outbox.put(exc)
        finally:
            connections[using].close()

    threads = [
        threading.Thread(target=serve, args=pair, name=f"export-worker-{n}", daemon=True)
        for n, pair in enumerate(zip(inboxes, outboxes, strict=True))
    ]
    for thread in threads:
        thread.start()
    try:
        pending = 0
        for inbox in inboxes:
            if (job := next(jobs, _DONE)) is _DONE:
                break
            inbox.put(job)
            pending += 1
        turn = 0
        while pending:
            result = outboxes[turn].get()
            pending -= 1
            if (job := next(jobs, _DONE)) is not _DONE:
                inboxes[turn].put(job)
                pending += 1
            if isinstance(result, Exception):
                raise result
            yield result
            turn = (turn + 1) % workers
    finally:
        for inbox in inboxes:
            inbox.put(_DONE)
        for thread in threads:
            thread.join()
