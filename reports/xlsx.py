"""The annual report as one XLSX worksheet laid out like the national format: the tables' merged
cells where the template merges them, numbers as numbers, printed on A4 (landscape, one page
wide)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.layout import Table, report_tables, statistics_period
from reports.models import AnnualReport

WIDTH = 15  # the widest table (table four) has 15 columns
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_TEXT = Alignment(horizontal="left", vertical="top", wrap_text=True)
#: Column widths in characters: table three's label columns need room, the rest hold numbers.
_WIDTHS = {1: 12, 2: 16, 3: 34}


def _number(text: str) -> int | Decimal | str:
    if not text:
        return ""
    return Decimal(text) if "." in text else int(text)


def _paragraph(sheet: Worksheet, row: int, text: str, *, bold: bool = False) -> int:
    """A line of text across the sheet's width (one merged cell); returns the next free row."""
    cell = sheet.cell(row=row, column=1, value=text)
    cell.alignment = _TEXT
    if bold:
        cell.font = Font(bold=True)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
    lines = max(1, sum(len(line) // 90 + 1 for line in text.splitlines() or [""]))
    if lines > 1:
        sheet.row_dimensions[row].height = 15 * lines
    return row + 1


def _table(sheet: Worksheet, top: int, table: Table) -> int:
    """Write the table with its top-left cell at (top, 1); returns the next free row."""
    for row in table.placed:
        for placed in row:
            cell = placed.cell
            r, c = top + placed.row, 1 + placed.column
            target = sheet.cell(row=r, column=c, value=cell.text if cell.header else None)
            if not cell.header:
                target.value = _number(cell.text)
                if isinstance(target.value, Decimal):
                    target.number_format = "0.####"
            target.font = Font(bold=cell.header)
            target.alignment = _LEFT if cell.header and cell.scope.startswith("row") else _CENTER
            if cell.rowspan > 1 or cell.colspan > 1:
                sheet.merge_cells(
                    start_row=r,
                    start_column=c,
                    end_row=r + cell.rowspan - 1,
                    end_column=c + cell.colspan - 1,
                )
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    sheet.cell(row=r + dr, column=c + dc).border = _BOX
    return top + len(table.placed) + 1


def annual_report_xlsx(report: AnnualReport) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = f"{report.year}年度报告"
    sheet.cell(row=1, column=1, value=report.title).font = Font(bold=True, size=14)
    sheet.cell(row=1, column=1).alignment = _CENTER
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=WIDTH)
    row = _paragraph(sheet, 2, statistics_period(report))
    row = _paragraph(sheet, row, "一、总体情况", bold=True)
    row = _paragraph(sheet, row, report.overview)
    for table in report_tables(report):
        row = _paragraph(sheet, row, table.heading, bold=True)
        row = _table(sheet, row, table)
    for heading, text in (
        ("五、存在的主要问题及改进情况", report.problems),
        ("六、其他需要报告的事项", report.other_matters),
    ):
        row = _paragraph(sheet, row, heading, bold=True)
        row = _paragraph(sheet, row, text)
    for column in range(1, WIDTH + 1):
        sheet.column_dimensions[get_column_letter(column)].width = _WIDTHS.get(column, 9)
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
