"""The file formats of every export: CSV (UTF-8 with BOM), XLSX and JSON Lines.

Spreadsheet formats neutralize cells that start with = + - @ (and tab or carriage return) with a
leading apostrophe, as OWASP advises against CSV/formula injection; the importer removes it
again. Rows come either as Python values (`_cell` spells each) or already as text (the records
export, exchange.record_rows), which CSV writes with one `writerows` call per batch.
"""

from __future__ import annotations

import csv
import datetime
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.utils import timezone

from exchange.record_columns import LIST_SEPARATORS, Column

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset("=+-@\t\r")
XLSX_MAX_ROWS = 1_048_576  # rows in one worksheet, header included (Excel's limit)


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


WRITERS: dict[str, Callable[..., Iterator]] = {
    "csv": _csv_chunks,
    "xlsx": _xlsx_chunks,
    "jsonl": _jsonl_chunks,
}


TEXT_WRITERS: dict[str, Callable[..., Iterator]] = {
    "csv": _csv_text_chunks,
    "xlsx": _xlsx_text_chunks,
}


def encoded(chunks: Iterator) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk
