"""Hostile files are refused with a (row, column, problem) message, fast (issue 13, item 8).

Every file here is small and made by the test: a workbook declaring 1,048,576 × 16,384 cells, a
workbook with DTD entities, a 140,000-character CSV cell, JSON nested 100,000 deep, too many
rows, columns or seconds. Through the service, the admin upload page and the command.
"""

import io
import json
import re
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from disclosure.models import DisclosureRecord, Organization
from disclosure.roles import REVIEWER
from exchange.importing import import_records
from exchange.importing.readers import Limits
from tests.exchange.test_importing import HEADER, csv_file, root, row
from tests.factories import make_staff

IMPORT_URL = "/admin/disclosure/recorddataexchange/import/"


def workbook(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(values)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The same workbook with xl/worksheets/sheet1.xml passed through `change`."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(item, content)
    return out.getvalue()


def huge_dimension() -> bytes:
    """The reported file: a few rows declaring the whole sheet (A1:XFD1048576)."""

    def change(xml: bytes) -> bytes:
        changed, count = re.subn(
            rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml
        )
        assert count == 1
        return changed

    return rewrite_sheet(workbook(HEADER, row()), change)


def far_row() -> bytes:
    """The whole sheet declared, and a cell in its last row: a million empty rows in between,
    each as wide as the declared 16,384 columns (what kept a worker busy until it was killed)."""
    cell = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return rewrite_sheet(
        huge_dimension(), lambda xml: xml.replace(b"</sheetData>", cell + b"</sheetData>")
    )


def entities() -> bytes:
    """Billion laughs, small: nested entity declarations in the sheet."""
    dtd = (
        b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )

    def change(xml: bytes) -> bytes:
        xml = b'<?xml version="1.0" encoding="UTF-8"?>' + dtd + xml
        return xml.replace(b"</sheetData>", b'<row r="3"><c r="B3" t="inlineStr"><is><t>&c;'
                           b"</t></is></c></row></sheetData>")  # fmt: skip

    return rewrite_sheet(workbook(HEADER, row()), change)


def deep_json() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def big_cell_csv(chars: int = 140_000) -> bytes:
    return csv_file(row(正文="<p>" + "长" * chars + "</p>")).getvalue()


def wide_csv() -> bytes:
    return csv_file(
        [*row(), *["x"] * 300], header=[*HEADER, *[f"列{n}" for n in range(300)]]
    ).getvalue()


def long_csv(rows: int) -> bytes:
    return csv_file(
        *[row(信息索引号=f"014006470/2020-{n:05d}") for n in range(1, rows + 1)]
    ).getvalue()


def run(data: bytes, name: str, **options):
    options.setdefault("limits", Limits(rows=1000, seconds=10))
    started = time.monotonic()
    report = import_records(
        source=io.BytesIO(data), filename=name, actor=root(), commit=True, **options
    )
    assert time.monotonic() - started < 10
    return report


def problems(report) -> list[tuple]:
    return [(p.row, p.column) for p in report.problems]


@pytest.mark.django_db
def test_workbook_declaring_a_million_rows_is_read_as_what_it_holds(vocabulary):
    report = run(huge_dimension(), "dimension.xlsx")
    assert report.ok and report.created == 1, [str(p) for p in report.problems]


@pytest.mark.django_db
def test_rows_beyond_the_limit_are_refused_with_the_row(vocabulary):
    report = run(far_row(), "far.xlsx")
    assert problems(report) == [(1002, "")] and "行数超过上限 1,000 行" in str(report.problems[0])
    report = run(long_csv(6), "long.csv", limits=Limits(rows=5))
    assert problems(report) == [(7, "")]
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_workbook_with_dtd_entities_is_refused(vocabulary):
    report = run(entities(), "laughs.xlsx")
    assert not report.ok and "DTD" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()


def test_openpyxl_parses_through_defusedxml():
    """Our own DTD scan aside, openpyxl itself refuses the entities (defusedxml installed)."""
    from defusedxml import DefusedXmlException

    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(ValueError, match="invalid XML") as raised:
        openpyxl.load_workbook(io.BytesIO(entities()))
    assert isinstance(raised.value.__cause__, DefusedXmlException)


@pytest.mark.django_db
def test_entities_past_our_own_scan_are_refused_by_defusedxml(vocabulary, monkeypatch):
    from exchange.importing import readers

    monkeypatch.setattr(readers, "_DTD_RE", re.compile(b"(?!)"))  # a scan that finds nothing
    report = run(entities(), "laughs.xlsx")
    assert not report.ok and "不安全的 XML(EntitiesForbidden)" in report.problems[0].message


@pytest.mark.django_db
def test_workbooks_are_not_read_without_defusedxml(vocabulary, monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    report = run(workbook(HEADER, row()), "plain.xlsx")
    assert not report.ok and "defusedxml" in report.problems[0].message


@pytest.mark.django_db
def test_a_long_cell_is_imported_and_one_over_the_limit_is_named(vocabulary):
    report = run(big_cell_csv(), "big.csv")
    assert report.ok, [str(p) for p in report.problems]
    assert len(DisclosureRecord.objects.get().body) > 140_000
    DisclosureRecord.objects.all().delete()
    report = run(big_cell_csv(2000), "big.csv", limits=Limits(cell_chars=1000))
    assert problems(report) == [(2, "正文")] and "单元格过长" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_deeply_nested_json_is_refused(vocabulary, name):
    report = run(deep_json(), name)
    assert not report.ok and "嵌套过深" in report.problems[0].message


@pytest.mark.django_db
def test_a_json_cell_holds_a_value_or_a_list_of_values(vocabulary):
    values = dict(zip(HEADER, row(), strict=True))
    values["关键词"] = [["学校"]]
    report = run(json.dumps([values], ensure_ascii=False).encode(), "nested.json")
    assert problems(report) == [(1, "关键词")] and "嵌套过深" in report.problems[0].message


@pytest.mark.django_db
def test_too_many_columns_are_refused(vocabulary):
    report = run(wide_csv(), "wide.csv")
    assert problems(report) == [(1, "")] and "最多 200 列" in report.problems[0].message


@pytest.mark.django_db
def test_reading_longer_than_the_time_limit_is_refused(vocabulary):
    report = run(long_csv(3), "slow.csv", limits=Limits(seconds=1e-9))
    assert not report.ok and "读取超时" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_a_broken_workbook_is_a_clear_refusal_not_a_server_error(vocabulary):
    broken = rewrite_sheet(workbook(HEADER, row()), lambda xml: xml[: len(xml) // 2])
    report = run(broken, "broken.xlsx")
    assert not report.ok and "无法读取 XLSX 文件" in report.problems[0].message


BAD_UPLOADS = [
    ("dimension.xlsx", huge_dimension, None),
    ("far.xlsx", far_row, "行数超过上限"),
    ("laughs.xlsx", entities, "DTD"),
    ("big.csv", big_cell_csv, "单元格过长"),
    ("deep.json", deep_json, "嵌套过深"),
    ("wide.csv", wide_csv, "最多 200 列"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "message"), BAD_UPLOADS)
def test_admin_upload_of_a_hostile_file_is_a_clear_refusal(client, vocabulary, settings, name,
                                                          make, message):  # fmt: skip
    settings.DISCLOSURE_IMPORT_MAX_ROWS = 1000
    settings.DISCLOSURE_IMPORT_MAX_CELL_CHARS = 100_000
    client.force_login(make_staff(REVIEWER, organization=Organization.objects.get(pk=1)))
    upload = SimpleUploadedFile(name, make(), content_type="application/octet-stream")
    started = time.monotonic()
    response = client.post(IMPORT_URL, {"file": upload, "commit": "on"})
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    page = response.content.decode()
    if message is None:  # read as what it holds: one row, imported as a draft
        assert "已导入" in page and DisclosureRecord.objects.count() == 1
    else:
        assert "未导入" in page and message in page
        assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "message"), BAD_UPLOADS[1:])
def test_command_refuses_a_hostile_file_with_the_problem(tmp_path, vocabulary, settings, name,
                                                        make, message):  # fmt: skip
    settings.DISCLOSURE_IMPORT_MAX_CELL_CHARS = 100_000
    root()
    path = tmp_path / name
    path.write_bytes(make())
    out = io.StringIO()
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_records", str(path), "--commit", "--actor", "import_root",
                     "--max-rows", "1000", stdout=out)  # fmt: skip
    assert message in out.getvalue()
    assert not DisclosureRecord.objects.exists()
