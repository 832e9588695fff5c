"""Reading CSV, XLSX, JSON (a list of objects) and JSON Lines as numbered rows of cells.

Readers stream (one row at a time) so a large file is never held in memory, and refuse what
cannot be read faithfully: a GBK file read as UTF-8 would import mojibake, and merged cells
leave all but the first row of the merge empty, so both are refused with what to do instead.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

FORMATS = ("csv", "xlsx", "json", "jsonl")
SNIFF_BYTES = 64 * 1024


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why and what to do."""


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


def read_csv(handle: IO[bytes], *, encoding: str) -> Iterator[tuple[int, dict[str, Any]]]:
    text = _text(handle, encoding)
    reader = csv.reader(text)
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise FileProblem("文件为空:没有表头行。")
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            cells = cells[: len(header)]
        yield number, dict(zip(header, cells, strict=False))


def read_jsonl(handle: IO[bytes], *, encoding: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(_text(handle, encoding), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FileProblem(f"第 {number} 行不是有效的 JSON:{exc.msg}。") from exc
        if not isinstance(obj, dict):
            raise FileProblem(f"第 {number} 行应为一个 JSON 对象。")
        yield number, obj


def read_json(handle: IO[bytes], *, encoding: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """A JSON list of objects; rows are numbered from 1 in list order."""
    try:
        data = json.load(_text(handle, encoding))
    except json.JSONDecodeError as exc:
        raise FileProblem(f"不是有效的 JSON:{exc.msg}(第 {exc.lineno} 行)。") from exc
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise FileProblem("JSON 文件应为对象列表([{...}, {...}])。")
    for number, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            raise FileProblem(f"第 {number} 项应为一个 JSON 对象。")
        yield number, obj


_MERGE_RE = re.compile(rb'<mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _merged_ranges(handle: IO[bytes]) -> list[str]:
    """Merged ranges of every sheet, scanned from the XML without loading the workbook."""
    found: list[str] = []
    with zipfile.ZipFile(handle) as archive:
        for name in archive.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            tail = b""
            with archive.open(name) as sheet:
                while block := sheet.read(1024 * 1024):
                    data = tail + block
                    found.extend(m.decode() for m in _MERGE_RE.findall(data))
                    tail = data[-200:]
    handle.seek(0)
    return sorted(set(found))


def read_xlsx(handle: IO[bytes], **_: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        merged = _merged_ranges(handle)
    except zipfile.BadZipFile as exc:
        raise FileProblem("不是有效的 XLSX 文件(可能是旧版 .xls,请另存为 .xlsx)。") from exc
    if merged:
        raise FileProblem(
            f"表格含合并单元格({'、'.join(merged[:5])}):合并后只有第一格有值,其余各行会缺数据。"
            "请取消合并并把值填到每一行后再导入。"
        )
    workbook = load_workbook(handle, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(cell not in (None, "") for cell in header):
            raise FileProblem("文件为空:第一个工作表没有表头行。")
        names = ["" if cell is None else str(cell) for cell in header]
        for other in workbook.worksheets[1:]:
            if next(other.iter_rows(max_row=1, values_only=True), None) == header:
                raise FileProblem(
                    f"工作表“{other.title}”与第一个工作表表头相同,是同一批数据的续表"
                    "(一个工作表最多 1,048,576 行),只读第一个会漏掉它。"
                    "请把各工作表分别另存为文件导入,或改用 JSON Lines 格式导出再导入。"
                )
        for number, cells in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in cells):
                continue
            yield number, dict(zip(names, cells, strict=False))
    finally:
        workbook.close()


def read_rows(
    handle: IO[bytes], *, fmt: str, encoding: str | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number as the editor sees it, {column header: cell}) for every non-empty row."""
    if fmt == "xlsx":
        return read_xlsx(handle)
    chosen = check_encoding(handle, encoding=encoding)
    reader = {"csv": read_csv, "json": read_json, "jsonl": read_jsonl}[fmt]
    return _decode_errors(reader(handle, encoding=chosen))
