"""Reading CSV, XLSX, JSON (a list of objects) and JSON Lines as numbered rows of cells.

Readers stream (one row at a time) so a large file is never held in memory, and refuse what
cannot be read faithfully: a GBK file read as UTF-8 would import mojibake, and merged cells
leave all but the first row of the merge empty, so both are refused with what to do instead.

A file is untrusted input: every reader keeps to `Limits` (rows, columns, characters a cell,
nesting, seconds) and turns whatever its parser raises into a `FileProblem` naming the row and
column, never a server error. XLSX is XML: it is parsed through defusedxml (openpyxl uses it
when installed, and we refuse to read a workbook when it is not) and a part declaring a DTD is
refused before openpyxl sees it; the sheet's declared dimension is ignored, as a workbook of a
few bytes may declare 1,048,576 × 16,384 cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

FORMATS = ("csv", "xlsx", "json", "jsonl")
SNIFF_BYTES = 64 * 1024


class FileProblem(Exception):
    """The file cannot be imported; the message says why and what to do, and where if known."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "") -> None:
        super().__init__(message)
        self.row = row
        self.column = column


@dataclass
class Limits:
    """What one import may read: data rows, columns, characters in a cell, seconds.

    None means no limit (the command's `--max-rows 0`). Nesting is fixed: a cell is a value or a
    list of values (keywords, 公开形式), nothing deeper.
    """

    rows: int | None = None
    columns: int = 200
    cell_chars: int = 1_000_000
    seconds: float | None = None
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.started or time.monotonic()

    def check_row(self, number: int, first: int = 2) -> None:
        """Called for every row read, empty or not, before it is looked at."""
        if self.rows is not None and number - first >= self.rows:
            raise FileProblem(
                f"行数超过上限 {self.rows:,} 行;请拆分为多个文件,或由管理员用 import_records "
                "命令导入(--max-rows)。",
                row=number,
            )
        self.check_time(number)

    def check_time(self, number: int | None = None) -> None:
        if self.seconds is not None and time.monotonic() - self.started > self.seconds:
            raise FileProblem(
                f"读取超时:已用 {self.seconds:g} 秒仍未读完;请拆分为多个文件,"
                "或由管理员用 import_records 命令导入(--max-seconds)。",
                row=number,
            )

    def check_header(self, names: list[str], row: int = 1) -> None:
        while names and not str(names[-1]).strip():
            names.pop()
        if len(names) > self.columns:
            raise FileProblem(f"表头有 {len(names):,} 列,最多 {self.columns} 列。", row=row)

    def check_cells(self, number: int, cells: dict[str, Any]) -> None:
        """Cell size and nesting of one row (called only where a parser does not bound them)."""
        if len(cells) > self.columns:
            raise FileProblem(f"有 {len(cells):,} 列,最多 {self.columns} 列。", row=number)
        limit = self.cell_chars
        for name, value in cells.items():
            kind = value.__class__
            if kind is str:  # nearly every cell
                if len(value) > limit:
                    raise FileProblem(_too_long(len(value), limit), row=number, column=str(name))
                continue
            if value is None or kind is int or kind is bool:
                continue
            items: list[Any] | tuple[Any, ...]
            if isinstance(value, list):
                items = value
            elif isinstance(value, dict):
                raise FileProblem("嵌套过深:单元格只能是值或值的列表。", row=number, column=name)
            else:
                items = (value,)
            for item in items:
                if isinstance(item, list | dict):
                    raise FileProblem(
                        "嵌套过深:单元格只能是值或值的列表。", row=number, column=str(name)
                    )
                if isinstance(item, str) and len(item) > self.cell_chars:
                    raise FileProblem(
                        _too_long(len(item), self.cell_chars), row=number, column=str(name)
                    )


def _too_long(length: int, limit: int) -> str:
    return f"单元格过长:{length:,} 字符,上限 {limit:,} 字符。"


NO_LIMITS = Limits()


def detect_format(name: str, fmt: str | None = None) -> str:
    if fmt:
        fmt = fmt.lower().lstrip(".")
    else:
        fmt = Path(name).suffix.lower().lstrip(".")
        fmt = {"ndjson": "jsonl", "xlsm": "xlsx", "txt": "csv"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise FileProblem(f"不支持的文件类型:{fmt or name}(支持 CSV、XLSX、JSON、JSON Lines)。")
    return fmt


def check_size(handle: IO[bytes], *, max_bytes: int | None) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    if size == 0:
        raise FileProblem("文件为空。")
    if max_bytes and size > max_bytes:
        raise FileProblem(
            f"文件过大:{size / 1048576:.1f} MB,上限 {max_bytes / 1048576:.0f} MB;"
            "请拆分为多个文件,或由管理员用 import_records 命令导入。"
        )
    return size


def check_encoding(handle: IO[bytes], *, encoding: str | None) -> str:
    """UTF-8 (with or without BOM) unless told otherwise; a GBK file is recognised and refused."""
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise FileProblem(f"未知的编码:{encoding}") from exc
        return encoding
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        try:
            codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        except UnicodeDecodeError:
            raise FileProblem(
                "文件不是 UTF-8 编码,无法识别其编码;请另存为 UTF-8 后再导入。"
            ) from exc
        raise FileProblem(
            "文件是 GBK(GB18030)编码,不是 UTF-8。请在 Excel 中“另存为 CSV UTF-8”后再导入,"
            "或确认无误后加 --encoding gbk 按 GBK 读取。"
        ) from exc
    return "utf-8-sig"


def _text(handle: IO[bytes], encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")


def _decode_errors(rows: Iterator[tuple[int, dict[str, Any]]]):
    """A decoding error half-way through the file names the place instead of a traceback."""
    last = 1
    try:
        for number, row in rows:
            last = number
            yield number, row
    except UnicodeDecodeError as exc:
        raise FileProblem(f"第 {last + 1} 行附近的字节不是所选编码的文字:{exc.reason}。") from exc


def read_csv(
    handle: IO[bytes], *, encoding: str, limits: Limits = NO_LIMITS
) -> Iterator[tuple[int, dict[str, Any]]]:
    text = _text(handle, encoding)
    # the csv module refuses a longer field itself; one more character lets us name the column
    csv.field_size_limit(max(limits.cell_chars + 1, 131072))
    reader = csv.reader(text)
    number = 1
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise FileProblem("文件为空:没有表头行。")
        limits.check_header(list(header))
        width = len(header)
        for number, cells in enumerate(reader, start=2):
            limits.check_row(number)
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > width:
                cells = cells[:width]
            if max(map(len, cells)) > limits.cell_chars:
                for name, cell in zip(header, cells, strict=False):
                    if len(cell) > limits.cell_chars:
                        raise FileProblem(
                            _too_long(len(cell), limits.cell_chars), row=number, column=name
                        )
            yield number, dict(zip(header, cells, strict=False))
    except csv.Error as exc:
        where = reader.line_num or number
        if "field larger than field limit" in str(exc):
            raise FileProblem(
                f"单元格过长:超过 {limits.cell_chars:,} 字符的上限。", row=where
            ) from exc
        raise FileProblem(f"CSV 格式错误:{exc}", row=where) from exc


def read_jsonl(
    handle: IO[bytes], *, encoding: str, limits: Limits = NO_LIMITS
) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(_text(handle, encoding), start=1):
        limits.check_row(number, first=1)
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FileProblem(f"第 {number} 行不是有效的 JSON:{exc.msg}。") from exc
        except RecursionError as exc:
            raise FileProblem("嵌套过深:单元格只能是值或值的列表。", row=number) from exc
        if not isinstance(obj, dict):
            raise FileProblem(f"第 {number} 行应为一个 JSON 对象。")
        limits.check_cells(number, obj)
        yield number, obj


def read_json(
    handle: IO[bytes], *, encoding: str, limits: Limits = NO_LIMITS
) -> Iterator[tuple[int, dict[str, Any]]]:
    """A JSON list of objects; rows are numbered from 1 in list order."""
    try:
        data = json.load(_text(handle, encoding))
    except json.JSONDecodeError as exc:
        raise FileProblem(f"不是有效的 JSON:{exc.msg}(第 {exc.lineno} 行)。") from exc
    except RecursionError as exc:
        raise FileProblem("JSON 嵌套过深:应为对象列表,单元格只能是值或值的列表。") from exc
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise FileProblem("JSON 文件应为对象列表([{...}, {...}])。")
    for number, obj in enumerate(data, start=1):
        limits.check_row(number, first=1)
        if not isinstance(obj, dict):
            raise FileProblem(f"第 {number} 项应为一个 JSON 对象。")
        limits.check_cells(number, obj)
        yield number, obj


_MERGE_RE = re.compile(rb'<mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _scan_parts(handle: IO[bytes], limits: Limits) -> list[str]:
    """Merged ranges of every sheet, scanned from the XML without loading the workbook; a part
    declaring a DTD (entities: billion laughs, external files) is refused here already."""
    found: list[str] = []
    with zipfile.ZipFile(handle) as archive:
        for name in archive.namelist():
            if not name.endswith((".xml", ".rels", ".vml")):
                continue
            sheet_part = name.startswith("xl/worksheets/sheet")
            tail = b""
            with archive.open(name) as part:
                while block := part.read(1024 * 1024):
                    limits.check_time()
                    data = tail + block
                    if _DTD_RE.search(data):
                        raise FileProblem(
                            f"XLSX 文件的 {name} 含 DTD 或实体声明(可被用来攻击服务器),拒绝读取;"
                            "请在 Excel 中另存为新的 .xlsx 后再导入。"
                        )
                    if sheet_part:
                        found.extend(m.decode() for m in _MERGE_RE.findall(data))
                    tail = data[-200:]
    handle.seek(0)
    return sorted(set(found))


def read_xlsx(
    handle: IO[bytes], *, limits: Limits = NO_LIMITS, **_: Any
) -> Iterator[tuple[int, dict[str, Any]]]:
    import openpyxl
    from defusedxml import DefusedXmlException

    if not openpyxl.DEFUSEDXML:  # fail closed: never parse an uploaded workbook unprotected
        raise FileProblem(
            "服务器未启用 defusedxml(或设置了 OPENPYXL_DEFUSEDXML=False),拒绝读取 XLSX。"
        )
    try:
        merged = _scan_parts(handle, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise FileProblem("不是有效的 XLSX 文件(可能是旧版 .xls,请另存为 .xlsx)。") from exc
    if merged:
        raise FileProblem(
            f"表格含合并单元格({'、'.join(merged[:5])}):合并后只有第一格有值,其余各行会缺数据。"
            "请取消合并并把值填到每一行后再导入。"
        )
    try:
        yield from _xlsx_rows(handle, limits)
    except FileProblem:
        raise
    except Exception as exc:  # noqa: BLE001 - an untrusted file: any parser failure is the file's
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__  # openpyxl wraps it in a ValueError
        if cause is not None:
            raise FileProblem(
                f"XLSX 文件含不安全的 XML({type(cause).__name__}),拒绝读取。"
            ) from exc
        raise FileProblem(f"无法读取 XLSX 文件:{type(exc).__name__}: {exc}"[:500]) from exc


def _xlsx_rows(handle: IO[bytes], limits: Limits) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(handle, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # the declared size is the file's claim, not a fact
        sheet = workbook.worksheets[0]
        header = next(sheet.iter_rows(max_row=1, values_only=True), None)
        if not header or not any(cell not in (None, "") for cell in header):
            raise FileProblem("文件为空:第一个工作表没有表头行。")
        names = ["" if cell is None else str(cell) for cell in header]
        limits.check_header(names)
        width = max(len(names), 1)
        header = tuple(header[:width])
        for other in workbook.worksheets[1:]:
            first = next(other.iter_rows(max_row=1, max_col=width, values_only=True), None)
            if first == header:
                raise FileProblem(
                    f"工作表“{other.title}”与第一个工作表表头相同,是同一批数据的续表"
                    "(一个工作表最多 1,048,576 行),只读第一个会漏掉它。"
                    "请把各工作表分别另存为文件导入,或改用 JSON Lines 格式导出再导入。"
                )
        rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        for number, cells in enumerate(rows, start=2):
            limits.check_row(number)
            if not any(cell not in (None, "") for cell in cells):
                continue
            for name, cell in zip(names, cells, strict=False):
                if cell.__class__ is str and len(cell) > limits.cell_chars:
                    raise FileProblem(
                        _too_long(len(cell), limits.cell_chars), row=number, column=name
                    )
            yield number, dict(zip(names, cells, strict=False))
    finally:
        workbook.close()


def read_rows(
    handle: IO[bytes],
    *,
    fmt: str,
    encoding: str | None = None,
    limits: Limits = NO_LIMITS,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as the editor sees it, {column header: cell}) for every non-empty row."""
    if fmt == "xlsx":
        return read_xlsx(handle, limits=limits)
    chosen = check_encoding(handle, encoding=encoding)
    reader = {"csv": read_csv, "json": read_json, "jsonl": read_jsonl}[fmt]
    return _decode_errors(reader(handle, encoding=chosen, limits=limits))
