"""The public report page against the national template (国办公开办函〔2021〕30号), table by
table: labels character for character, merged cells, and headers a screen reader can follow."""

from html.parser import HTMLParser

import pytest

from tests.reports.helpers import TABLES, golden, published_report

pytestmark = pytest.mark.django_db


class Tables(HTMLParser):
    """Every <table>: its caption and its rows of cells (tag, text, attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict] = {}
        self._table: dict | None = None
        self._cell: dict | None = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table":
            self._table = {"caption": "", "rows": []}
            self.tables[attributes.get("id", "")] = self._table
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._table is not None:
            self._table["rows"].append([])
        elif tag in {"th", "td"} and self._table is not None:
            self._cell = {"tag": tag, "text": "", **attributes}
            self._table["rows"][-1].append(self._cell)

    def handle_endtag(self, tag):
        if tag in {"th", "td"}:
            self._cell = None
        elif tag == "caption":
            self._in_caption = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data
        elif self._in_caption and self._table is not None:
            self._table["caption"] += data


def page_tables(client, report) -> tuple[str, dict[str, dict]]:
    page = client.get(report.get_absolute_url()).content.decode()
    parser = Tables()
    parser.feed(page)
    return page, parser.tables


def layout(rows: list[list[dict]]) -> list[list[dict]]:
    """The HTML cells in the golden files' terms."""
    result = []
    for row in rows:
        cells = []
        for cell in row:
            spans = {k: int(cell[k]) for k in ("rowspan", "colspan") if int(cell.get(k, 1)) > 1}
            if cell["tag"] == "th":
                cells.append({"th": cell["text"], **spans})
            else:
                cells.append({"td": spans.get("colspan", 1)})
        result.append(cells)
    return result


@pytest.mark.parametrize("name", TABLES)
def test_each_table_has_the_templates_labels_and_merged_cells(client, vocabulary, name):
    page, tables = page_tables(client, published_report())
    expected = golden(name)
    assert layout(tables[name]["rows"]) == expected["rows"]
    assert f"<h2>{expected['heading']}</h2>" in page
    assert tables[name]["caption"]


@pytest.mark.parametrize("name", TABLES)
def test_every_number_names_its_headers_for_screen_readers(client, vocabulary, name):
    _, tables = page_tables(client, published_report())
    cells = [cell for row in tables[name]["rows"] for cell in row]
    header_ids = {cell["id"] for cell in cells if cell["tag"] == "th"}
    for cell in cells:
        if cell["tag"] == "th":
            assert cell["scope"] in {"col", "colgroup", "row", "rowgroup"}
        else:
            assert cell["headers"] and set(cell["headers"].split()) <= header_ids


def _headers_of(table: dict, row: int, index: int) -> list[str]:
    by_id = {cell["id"]: cell["text"] for r in table["rows"] for cell in r if cell["tag"] == "th"}
    return [by_id[i] for i in table["rows"][row][index]["headers"].split()]


def test_a_cell_under_merged_headers_is_announced_with_all_of_them(client, vocabulary):
    _, tables = page_tables(client, published_report())
    # table three, 1.属于国家秘密 × 商业企业: both header groups and the three row labels
    assert _headers_of(tables["table3"], 7, 3) == [
        "申请人情况", "法人或其他组织", "商业企业", "三、本年度办理结果", "（三）不予公开",
        "1.属于国家秘密",
    ]  # fmt: skip
    # table four, the seventh number: 行政诉讼 → 未经复议直接起诉 → 结果纠正
    assert _headers_of(tables["table4"], 3, 6) == ["行政诉讼", "未经复议直接起诉", "结果纠正"]
    # table two, 行政许可: its section, its column and its row
    assert _headers_of(tables["table2"], 6, 1) == [
        "第二十条第（五）项", "本年处理决定数量", "行政许可",
    ]  # fmt: skip


def test_numbers_in_the_templates_formats_and_the_statistics_period(client, vocabulary):
    page, tables = page_tables(client, published_report())
    assert "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。" in page
    fees = tables["table2"]["rows"][-1][1]
    assert fees["text"] == "2.02" and "2.0200" not in page
    assert tables["table2"]["rows"][6][1]["text"] == "12"
    litigation = [cell["text"] for cell in tables["table4"]["rows"][3]]
    assert litigation == ["1", "0", "0", "0", "1", "0", "2", "0", "0", "2", "0", "0", "0", "3", "3"]
    # no numbers beside （三）…（六）: the template merges their label cells without a subtotal
    for row in tables["table3"]["rows"]:
        labels = [cell["text"] for cell in row if cell["tag"] == "th"]
        if any(label.startswith(("（三）", "（四）", "（五）", "（六）")) for label in labels):
            assert len(labels) == 2 and labels[1][0].isdigit()


def test_the_report_in_traditional_script_keeps_the_layout(client, vocabulary):
    report = published_report()
    page = client.get(f"/zh-hant{report.get_absolute_url()}").content.decode()
    parser = Tables()
    parser.feed(page)
    assert [len(row) for row in parser.tables["table3"]["rows"]] == [
        len(row) for row in golden("table3")["rows"]
    ]
    assert "規章" in page and "行政規範性文件" in page
