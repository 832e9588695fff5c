import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from disclosure.audit import record_event
from disclosure.choices import RecordStatus
from disclosure.generator import generate_records
from disclosure.models import AuditEntry, DisclosureRecord
from exchange.export_writers import _cell, neutralize
from exchange.exports import stream_audit_log, stream_records
from exchange.record_columns import RECORD_COLUMNS
from exchange.record_rows import _record_rows
from tests.factories import make_published_record, make_record, make_user

EXPORT_URL = "/admin/disclosure/recorddataexchange/export/"


def export(fmt: str, **options) -> bytes:
    return b"".join(stream_records(queryset=DisclosureRecord.objects.all(), fmt=fmt, **options))


def staff(*codenames: str, username: str = "auditor"):
    user = make_user(username=username, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_formula_prefixes_are_neutralized(prefix):
    assert neutralize(f'{prefix}HYPERLINK("http://evil")').startswith("'")
    assert neutralize("普通文字") == "普通文字"


@pytest.mark.django_db
def test_csv_has_bom_chinese_headers_and_neutralized_cells(seed_data):
    make_record(title='=HYPERLINK("http://evil.example","点我")', summary="@SUM(A1)")
    data = export("csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["信息索引号", "标题", "发文日期", "公开日期"]
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","点我")' in cells
    assert "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


@pytest.mark.django_db
def test_csv_with_english_headers(seed_data):
    header = export("csv", english=True).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("index_number,title,issued_on,publication_date")


@pytest.mark.django_db
def test_xlsx_holds_text_cells_never_formulas(seed_data):
    make_record(title="=1+1")
    workbook = load_workbook(io.BytesIO(export("xlsx")), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "信息索引号"
    titles = {row[1] for row in rows[1:]}
    assert "'=1+1" in titles
    assert "2020年全市教育工作上半年总结和下半年计划" in titles


@pytest.mark.django_db
def test_xlsx_drops_control_characters_xml_cannot_hold(seed_data):
    """A form feed pasted from Word must not break the auditor's workbook halfway."""
    make_record(title="\x07=SUM(A1)", summary="第一页\x0c第二页", body="<p>甲\x0b乙</p>")
    workbook = load_workbook(io.BytesIO(export("xlsx")), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    by_title = {row[1]: row for row in rows[1:]}
    assert "'=SUM(A1)" in by_title  # still neutralized once the bell is gone
    assert by_title["'=SUM(A1)"][21:23] == ("第一页第二页", "<p>甲乙</p>")
    jsonl = [json.loads(line) for line in export("jsonl").decode().splitlines()]
    assert "第一页\x0c第二页" in {row["内容概述"] for row in jsonl}  # the lossless form keeps it


@pytest.mark.django_db
def test_xlsx_keeps_error_like_text_as_text(seed_data):
    make_record(title="#N/A", summary="#DIV/0!")
    sheet = load_workbook(io.BytesIO(export("xlsx"))).worksheets[0]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}
    assert cells["#N/A"].data_type == "s" and cells["#DIV/0!"].data_type == "s"


@pytest.mark.django_db
def test_xlsx_continues_on_a_new_sheet_past_the_row_limit(seed_data, monkeypatch):
    monkeypatch.setattr("exchange.export_writers.XLSX_MAX_ROWS", 4)
    for n in range(6):
        make_record(title=f"第{n}条")
    workbook = load_workbook(io.BytesIO(export("xlsx")), read_only=True)
    assert workbook.sheetnames == ["导出", "导出2", "导出3"]
    sheets = [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
    assert [len(rows) for rows in sheets] == [4, 4, 2]  # each with its header row
    assert all(rows[0][0] == "信息索引号" for rows in sheets)
    titles = [row[1] for rows in sheets for row in rows[1:]]
    assert len(titles) == len(set(titles)) == DisclosureRecord.objects.count()


@pytest.mark.django_db
def test_export_includes_drafts_withdrawn_and_workflow_columns(seed_data):
    editor = make_user(username="editor_li")
    make_record(title="草稿", created_by=editor)
    make_record(title="撤回", status=RecordStatus.WITHDRAWN)
    rows = [json.loads(line) for line in export("jsonl").decode().splitlines()]
    by_title = {row["标题"]: row for row in rows}
    assert by_title["草稿"]["状态"] == "草稿" and by_title["草稿"]["编制人"] == "editor_li"
    assert by_title["撤回"]["状态"] == "已撤回"
    seed = by_title["2020年全市教育工作上半年总结和下半年计划"]
    assert seed["公开形式"] == ["网站", "文件", "政府公报"]
    assert seed["主题"] == "科技、教育--教育"
    assert seed["关键词"] == ["学校", "机关", "总结"]
    assert seed["公开地址"].startswith("/records/")


@pytest.mark.django_db
def test_csv_fast_path_writes_exactly_the_generic_cells(seed_data):
    """The CSV rows are formatted column by column; they must equal `_cell` of each value."""
    editor = make_user(username="=editor")
    make_record(title="+草稿", created_by=editor, summary="-1", keywords=("@a", "b"))
    make_record(title="撤回", status=RecordStatus.WITHDRAWN, withdrawal_reason="=SUM(A1)")
    generate_records(count=30, seed=3)
    tz = timezone.get_current_timezone()
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow([c.label for c in RECORD_COLUMNS])
    for row in _record_rows(DisclosureRecord.objects.all(), chunk_size=7):
        writer.writerow([_cell(c.name, v, tz) for c, v in zip(RECORD_COLUMNS, row, strict=True)])
    assert export("csv", chunk_size=7).decode("utf-8") == "\ufeff" + expected.getvalue()


@pytest.mark.django_db
def test_audit_log_export_carries_the_hash_chain(db):
    record_event(action="other", reason="第一条")
    record_event(action="other", reason="第二条")
    data = b"".join(stream_audit_log(fmt="csv", english=True)).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert rows[0]["prev_hash"] == "0" * 64
    assert rows[1]["prev_hash"] == rows[0]["entry_hash"]
    assert all(row["hash_ok"] == "是" for row in rows)


@pytest.mark.django_db
def test_anonymous_visitor_cannot_reach_the_export(client, seed_data):
    response = client.get(EXPORT_URL, {"format": "csv"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action="export").exists()


@pytest.mark.django_db
def test_staff_without_the_permission_is_refused(client, seed_data):
    client.force_login(staff(username="editor"))
    assert client.get(EXPORT_URL, {"format": "csv"}).status_code == 403
    assert client.get("/admin/disclosure/recorddataexchange/").status_code == 403


@pytest.mark.django_db
def test_auditor_downloads_a_filtered_stream_and_it_is_audited(client, seed_data):
    make_record(title="草稿")
    client.force_login(staff("export_records"))
    response = client.get(EXPORT_URL, {"format": "csv", "status": "published"})
    assert response.status_code == 200 and response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "2020年全市教育工作上半年总结和下半年计划" in body and "草稿" not in body
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor_name == "auditor"
    assert entry.details["rows"] == 1 and entry.details["filters"] == {"status": ["published"]}


@pytest.mark.django_db
def test_export_page_lists_the_export_form_for_auditors(client, seed_data):
    client.force_login(staff("export_records"))
    response = client.get("/admin/disclosure/recorddataexchange/")
    assert response.status_code == 200
    assert "导出公开信息" in response.content.decode()


@pytest.mark.django_db
def test_change_list_action_exports_the_selection(rf, seed_data):
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    from exchange.admin.exports import export_selected_records

    request = rf.post("/admin/disclosure/disclosurerecord/")
    request.session, request.user = {}, make_user(username="nobody", is_staff=True)
    request._messages = FallbackStorage(request)
    model_admin = site._registry[DisclosureRecord]
    assert export_selected_records(model_admin, request, DisclosureRecord.objects.all()) is None
    request.user = staff("export_records")
    response = export_selected_records(model_admin, request, DisclosureRecord.objects.all())
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(list(workbook.worksheets[0].iter_rows())) == 2


@pytest.mark.django_db
def test_export_command_writes_the_filtered_file(tmp_path, seed_data):
    make_published_record(title="其他年份", issued_on="2021-03-01")
    out = tmp_path / "records.jsonl"
    call_command("export_records", "--format", "jsonl", "--year", "2020", "-o", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and "2020年全市教育工作" in lines[0]
    assert AuditEntry.objects.get(action="export").details["filters"] == {"year": "2020"}


@pytest.mark.django_db
def test_audit_log_download_needs_its_own_permission(client, db):
    record_event(action="other", reason="一条")
    client.force_login(staff("export_records"))
    assert client.get("/admin/disclosure/recorddataexchange/audit-log/").status_code == 403
    client.force_login(staff("export_audit_log", username="auditor2"))
    response = client.get("/admin/disclosure/recorddataexchange/audit-log/", {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].endswith("上一条哈希,本条哈希,哈希校验")
    assert AuditEntry.objects.filter(action="export").get().details["what"] == "audit_log"


def plan_item_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_plan_items_export_lists_every_item_with_its_tracking_and_is_audited(seed_data):
    from exchange.exports import stream_plan_items
    from plans.models import PlanItem
    from plans.services import change_item_status

    reviewer = staff("change_planitem", username="office")
    item = PlanItem.objects.get(heading="推动高教职教重点突破")
    item.heading = "=推动高教职教重点突破"  # a hostile cell must stay text
    item.save(update_fields=["heading"])
    change_item_status(item=item, status="in_progress", actor=reviewer, note="南理工江阴校区投用")
    data = b"".join(stream_plan_items(queryset=PlanItem.objects.all(), fmt="csv", actor=reviewer))
    rows = plan_item_rows(data)
    assert len(rows) == 12
    row = next(r for r in rows if r["事项"].endswith("推动高教职教重点突破"))
    assert row["事项"] == "'=推动高教职教重点突破"
    assert row["进展"] == "推进中" and "南理工江阴校区投用" in row["最新进展情况"]
    assert row["信息索引号"] == "014006470/2020-00120" and row["部分"] == "下半年工作计划安排"
    entry = AuditEntry.objects.filter(action="export").latest("id")
    assert entry.details["what"] == "plan_items" and entry.details["rows"] == 12


@pytest.mark.django_db
def test_export_command_writes_plan_items_as_xlsx(seed_data, tmp_path):
    out = tmp_path / "plans.xlsx"
    call_command("export_records", "--plan-items", "--format", "xlsx", "--year", "2020", "-o", out)
    sheet = load_workbook(out, read_only=True).active
    values = list(sheet.values)
    assert values[0][:3] == ("发布机构", "信息索引号", "文件标题")
    assert len(values) == 13
    out_2019 = tmp_path / "none.xlsx"
    call_command(
        "export_records", "--plan-items", "--format", "xlsx", "--year", "2019", "-o", out_2019
    )
    assert len(list(load_workbook(out_2019, read_only=True).active.values)) == 1


@pytest.mark.django_db
def test_progress_counts_the_rows_written_after_each_chunk(seed_data):
    """Background exports (exchange.export_jobs) show this count as the job's progress."""
    generate_records(count=4, seed=5)
    calls: list[int] = []
    export("csv", chunk_size=2, progress=calls.append)
    assert calls == [2, 4, 5]  # the seed record and 4 more, in keyset chunks of 2
    calls.clear()
    export("jsonl", progress=calls.append)
    assert calls == [5]  # row by row: every 1,000 rows and at the end


@pytest.mark.django_db
def test_progress_of_a_long_audit_log_comes_every_thousand_rows(db):
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        AuditEntry(created_at=now, action="other", prev_hash="0", entry_hash=f"{n:064x}")
        for n in range(2500)
    )
    calls: list[int] = []
    b"".join(stream_audit_log(fmt="jsonl", progress=calls.append))
    assert calls == [1000, 2000, 2500]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_link_column_names_only_pages_the_public_may_see(seed_data, fmt):
    """公开地址 follows the public-visibility rule (disclosure.selectors.public_records) and the
    record page's URL: a record scheduled for tomorrow, a withdrawn one and a draft have none.
    On PostgreSQL the CSV is written by COPY, from the same row specification."""
    live = make_published_record(title="已发布")
    scheduled = make_published_record(title="明日发布")
    DisclosureRecord.objects.filter(pk=scheduled.pk).update(
        published_at=timezone.now() + datetime.timedelta(days=1)
    )
    make_record(title="撤回", status=RecordStatus.WITHDRAWN)
    make_record(title="草稿")
    data = export(fmt).decode("utf-8-sig")
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data)))
    else:
        rows = [json.loads(line) for line in data.splitlines()]
    links = {row["标题"]: row["公开地址"] for row in rows}
    assert links["已发布"] == live.get_absolute_url() == f"/records/{live.pk}/"
    assert links["明日发布"] == links["撤回"] == links["草稿"] == ""
