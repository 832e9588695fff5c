"""Rows of the records export in Python, made from the row specification (record_columns).

Rows are read in keyset chunks (`id > last`, `chunk_size` at a time) as value tuples of exactly
the fields the specification names; vocabularies (organizations, categories, topics, genres,
staff accounts) are a few hundred rows and are looked up in dictionaries instead of joined,
which is most of the speed. Each column becomes one small function of the tuple, made once per
chunk: `_value_cells` give Python values (JSON Lines), `_text_cells` the neutralized
spreadsheet text (CSV and XLSX).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from disclosure.models import (
    Attachment,
    Category,
    DisclosureRecord,
    Genre,
    Organization,
    RecordKeyword,
    Topic,
)
from disclosure.selectors import public_records
from exchange.record_columns import (
    RECORD_COLUMNS,
    RECORD_VALUE_FIELDS,
    Choice,
    ChoiceList,
    Kind,
    PublicLink,
    RecordColumn,
    Related,
    Vocabulary,
)

FORMULA_FIRST = frozenset("=+-@\t\r")
TEXT_BATCH = 500
_I = {name: i for i, name in enumerate(RECORD_VALUE_FIELDS)}
_LINK_PLACEHOLDER = 987654321

Cell = Callable[[tuple], Any]


def category_path(category: Category, by_id: dict[int, Category]) -> str:
    """The breadcrumb 政府信息公开 / 信息公开目录 / 规划计划; names are unique per parent."""
    names = []
    node: Category | None = category
    while node is not None:
        names.append(node.name)
        node = by_id.get(node.parent_id) if node.parent_id else None
    return " / ".join(reversed(names))


def record_link_parts() -> tuple[str, str]:
    """The record page's URL around its id, as `reverse` spells it on the default-language site:
    ("/records/", "/")."""
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse("portal:record", kwargs={"pk": _LINK_PLACEHOLDER})
    before, after = url.split(str(_LINK_PLACEHOLDER))
    return before, after


class _Vocabulary:
    """Labels of the small controlled vocabularies, loaded once per export."""

    def __init__(self) -> None:
        categories = {c.pk: c for c in Category.objects.all()}
        topics = {t.pk: t for t in Topic.objects.all()}
        user_model = get_user_model()
        self.names: dict[str, dict[Any, str | None]] = {
            "organizations": dict(Organization.objects.values_list("id", "name")),
            "categories": {pk: category_path(c, categories) for pk, c in categories.items()},
            "topics": {
                pk: t.name if t.parent_id is None else f"{topics[t.parent_id].name}--{t.name}"
                for pk, t in topics.items()
            },
            "genres": dict(Genre.objects.values_list("id", "name")),
            "users": dict(user_model.objects.values_list("id", user_model.USERNAME_FIELD)),
            "index_numbers": {},  # of repealing records, filled chunk by chunk
        }
        self.now = timezone.now()
        self.link = record_link_parts()


class _Chunk:
    """What one chunk adds to a row: keyword and attachment names, which ids are public."""

    def __init__(self, rows: list[tuple], vocab: _Vocabulary) -> None:
        ids = [row[0] for row in rows]
        # a dense run of ids (the usual case) is fetched by range: cheaper than IN (2000 ids)
        in_chunk = (
            {"record_id__gte": ids[0], "record_id__lte": ids[-1]}
            if ids[-1] - ids[0] < 2 * len(ids)
            else {"record_id__in": ids}
        )
        self.related: dict[str, dict[int, list[str]]] = {"keywords": {}, "attachments": {}}
        for record_id, name in (
            RecordKeyword.objects.filter(**in_chunk)
            .order_by("record_id", "position", "id")
            .values_list("record_id", "keyword__name")
        ):
            self.related["keywords"].setdefault(record_id, []).append(name)
        for record_id, title in (
            Attachment.objects.filter(**in_chunk)
            .order_by("record_id", "position", "id")
            .values_list("record_id", "title")
        ):
            self.related["attachments"].setdefault(record_id, []).append(title)
        self.public = set(
            public_records(now=vocab.now)
            .filter(id__gte=ids[0], id__lte=ids[-1])
            .values_list("id", flat=True)
        )
        repealed = _I["repealed_by_id"]
        index_numbers = vocab.names["index_numbers"]
        missing = {row[repealed] for row in rows if row[repealed]} - index_numbers.keys()
        if missing:
            index_numbers.update(
                DisclosureRecord.objects.filter(pk__in=missing).values_list("id", "index_number")
            )


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


def _record_chunks(
    queryset: QuerySet, vocab: _Vocabulary, *, chunk_size: int
) -> Iterator[tuple[list[tuple], _Chunk]]:
    """(value tuples, what the chunk adds) per keyset chunk: per row only dictionary look-ups."""
    last_id = 0
    forms: dict[str, list[str]] = {}  # a handful of distinct 公开形式 lists, decoded once
    while True:
        chunk = _fetch(
            queryset.filter(id__gt=last_id)
            .order_by("id")
            .values_list(*RECORD_VALUE_FIELDS)[:chunk_size],
            forms,
        )
        if not chunk:
            return
        last_id = chunk[-1][0]
        yield chunk, _Chunk(chunk, vocab)


def _value(column: RecordColumn, vocab: _Vocabulary, chunk: _Chunk) -> Cell:
    """The column's Python value from a row's tuple."""
    i, via = _I[column.source], column.via
    if via is None:
        if column.if_empty:
            return lambda row: row[i] or column.if_empty
        return lambda row: row[i]
    if isinstance(via, Choice):
        labels = dict(via.choices.choices)
        return lambda row: labels.get(row[i], row[i])
    if isinstance(via, ChoiceList):
        labels = dict(via.choices.choices)
        return lambda row: [labels.get(code, code) for code in row[i] or []]
    if isinstance(via, Vocabulary):
        names = vocab.names[via.name]
        return lambda row: names.get(row[i])
    if isinstance(via, Related):
        related = chunk.related[via.name]
        return lambda row: related.get(row[i], [])
    assert isinstance(via, PublicLink)
    public, (before, after) = chunk.public, vocab.link
    return lambda row: f"{before}{row[i]}{after}" if row[i] in public else ""


def _text_of(column: RecordColumn, tz: datetime.tzinfo) -> Callable[[Any], str]:
    """How the column's value is spelled as spreadsheet text (as `_cell` would)."""
    first = FORMULA_FIRST

    def text(value: str | None) -> str:
        if not value:
            return ""
        return "'" + value if value[0] in first else value

    if column.kind is Kind.TEXT:
        return text
    if column.kind is Kind.LIST:
        return lambda value: text(column.separator.join(value))
    if column.kind is Kind.NUMBER:
        return str
    if column.kind is Kind.MOMENT:
        return lambda value: value.astimezone(tz).isoformat() if value is not None else ""
    empty = column.if_empty
    return lambda value: value.isoformat() if value else empty


def _text_cell(column: RecordColumn, vocab: _Vocabulary, chunk: _Chunk, tz) -> Cell:
    text, via, i = _text_of(column, tz), column.via, _I[column.source]
    # the common cases in one function each: one call less per cell
    if via is None:
        return lambda row: text(row[i])
    if isinstance(via, Vocabulary):
        names = vocab.names[via.name]
        return lambda row: text(names.get(row[i]))
    if isinstance(via, Choice):
        labels = dict(via.choices.choices)
        return lambda row: text(labels.get(row[i], row[i]))
    value = _value(column, vocab, chunk)
    return lambda row: text(value(row))


def _record_rows(queryset: QuerySet, *, chunk_size: int) -> Iterator[list[Any]]:
    """Rows as Python values (dates, datetimes, lists) in RECORD_COLUMNS order."""
    vocab = _Vocabulary()
    for rows, chunk in _record_chunks(queryset, vocab, chunk_size=chunk_size):
        cells = [_value(column, vocab, chunk) for column in RECORD_COLUMNS]
        for row in rows:
            yield [cell(row) for cell in cells]


def _record_text_chunks(queryset: QuerySet, *, chunk_size: int) -> Iterator[list[list[str]]]:
    """Rows already as neutralized spreadsheet text, a batch at a time: CSV and XLSX.

    Same cells as `_cell(_record_rows(...))`, but each column's kind is known, so every value
    goes straight to its text (tests/exchange/test_exports.py compares the two).
    """
    vocab = _Vocabulary()
    tz = timezone.get_current_timezone()
    for rows, chunk in _record_chunks(queryset, vocab, chunk_size=chunk_size):
        cells = [_text_cell(column, vocab, chunk, tz) for column in RECORD_COLUMNS]
        for start in range(0, len(rows), TEXT_BATCH):  # a few MB of text per batch
            yield [[cell(row) for cell in cells] for row in rows[start : start + TEXT_BATCH]]
