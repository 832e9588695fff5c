"""The XLSX download against the national template, table by table: the labels in the cells the
template puts them in, its merged ranges and nothing else merged, numbers as numbers, A4."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.reports.helpers import TABLES, golden, published_report

pytestmark = pytest.mark.django_db


def download(client, report):
    response = client.get(f"/annual-reports/{report.pk}/xlsx/")
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content)).active


def placed(rows):
    """(row, column, cell) of the golden cells, placed as rowspan and colspan place them."""
    taken = set()
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            rowspan, colspan = cell.get("rowspan", 1), cell.get("colspan", cell.get("td", 1))
            yield r, c, cell, rowspan, colspan
            taken.update((r + i, c + j) for i in range(rowspan) for j in range(colspan))
            c += colspan


def table_origin(sheet, heading: str) -> int:
    """The table starts on the row after its heading."""
    for row in sheet.iter_rows(min_col=1, max_col=1):
        if row[0].value == heading:
            return row[0].row + 1
    raise AssertionError(f"no heading {heading}")


@pytest.mark.parametrize("name", TABLES)
def test_each_table_has_the_templates_labels_and_merged_ranges(client, vocabulary, name):
    sheet = download(client, published_report())
    expected = golden(name)
    top = table_origin(sheet, expected["heading"])
    merged = set()
    for r, c, cell, rowspan, colspan in placed(expected["rows"]):
        value = sheet.cell(row=top + r, column=1 + c).value
        if "th" in cell:
            assert value == cell["th"], (r, c)
        else:
            assert isinstance(value, int | float | Decimal), (r, c, value)
        if rowspan > 1 or colspan > 1:
            first = f"{get_column_letter(1 + c)}{top + r}"
            last = f"{get_column_letter(c + colspan)}{top + r + rowspan - 1}"
            merged.add(f"{first}:{last}")
    bottom = top + len(expected["rows"]) - 1
    in_table = {
        str(rng)
        for rng in sheet.merged_cells.ranges
        if top <= rng.min_row and rng.max_row <= bottom
    }
    assert in_table == merged


def test_numbers_statistics_period_and_a4_print_layout(client, vocabulary):
    sheet = download(client, published_report())
    texts = [cell.value for cell in sheet["A"] if isinstance(cell.value, str)]
    assert "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。" in texts
    top = table_origin(sheet, "二、主动公开政府信息情况")
    fees = sheet.cell(row=top + 13, column=2)
    assert fees.value == pytest.approx(2.02) and fees.number_format == "0.####"
    assert sheet.cell(row=top + 6, column=2).value == 12
    top = table_origin(sheet, "四、政府信息公开行政复议、行政诉讼情况")
    numbers = [sheet.cell(row=top + 3, column=c).value for c in range(1, 16)]
    assert numbers == [1, 0, 0, 0, 1, 0, 2, 0, 0, 2, 0, 0, 0, 3, 3]
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
