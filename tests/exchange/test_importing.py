"""Legacy import: messy values accepted, bad files refused with a report, all rows or none."""

import csv
import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from disclosure.choices import DisclosurePeriod, RecordStatus
from disclosure.models import AuditEntry, DisclosureRecord, IndexSerialCounter, Organization
from disclosure.roles import REVIEWER
from exchange.importing import import_records
from tests.factories import make_staff

HEADER = [
    "信息索引号", "标题", "发文日期", "公开日期", "文件编号", "公开时限", "发布机构", "公开形式",
    "公开方式", "公开范围", "有效期", "公开程序", "主题", "体裁", "关键词", "内容概述", "正文",
    "目录",
]  # fmt: skip
GOOD = [
    "014006470/2020-00120", "2020年全市教育工作上半年总结和下半年计划", "2020-07-28",
    "2020/7/28", "无", "长期公开", "无锡市教育局", "网站、文件、政府公报", "主动公开", "面向社会",
    "长期", "部门编制,经办公室审核后公开", "科技、教育--教育", "其他", "学校,机关,总结",
    "内容概述", "<p>正文</p><script>alert(1)</script>",
    "首页 / 政府信息公开 / 信息公开目录 / 规划计划",
]  # fmt: skip


def row(**changes) -> list[str]:
    values = dict(zip(HEADER, GOOD, strict=True))
    values.update(changes)
    return [values[h] for h in HEADER]


def csv_file(*rows, header=HEADER, encoding="utf-8-sig") -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode(encoding))


def root():
    """A superuser: every organization, and the publish permission."""
    user = get_user_model().objects.filter(username="import_root").first()
    return user or get_user_model().objects.create_superuser("import_root", "", "pw-123456")


def run(source, name="records.csv", **options):
    """The content tests import as a superuser publishing (the rules: test_importing_rules.py)."""
    options.setdefault("actor", root())
    options.setdefault("publish", True)
    return import_records(source=source, filename=name, **options)


@pytest.mark.django_db
def test_messy_but_valid_row_is_imported_as_written(vocabulary):
    report = run(csv_file(row()), commit=True)
    assert report.ok and report.created == 1, [str(p) for p in report.problems]
    record = DisclosureRecord.objects.get()
    assert record.index_number == "014006470/2020-00120" and record.index_serial == 120
    assert record.publication_date == datetime.date(2020, 7, 28)
    assert record.document_number == ""
    assert record.disclosure_forms == ["website", "document", "gazette"]
    assert record.topic.label == "科技、教育--教育"
    assert record.category.slug == "plans"
    assert record.keyword_names() == ["学校", "机关", "总结"]
    assert record.valid_until is None and record.status == RecordStatus.PUBLISHED
    assert record.published_by == record.created_by == root()
    assert "<script>" not in record.body
    assert IndexSerialCounter.objects.get(code="014006470", year=2020).last_serial == 120
    entry = AuditEntry.objects.get(action="import")
    assert entry.details["created"] == 1
    assert AuditEntry.objects.get(action="publish").object_id == str(record.pk)


@pytest.mark.django_db
def test_rows_are_drafts_unless_publishing_is_asked_for(vocabulary):
    """Was 已发布 by default (issue 13, item 1): imported rows enter the workflow as drafts."""
    report = run(csv_file(row()), commit=True, publish=False)
    assert report.ok, [str(p) for p in report.problems]
    record = DisclosureRecord.objects.get()
    assert record.status == RecordStatus.DRAFT and record.published_at is None
    assert record.published_by is None and record.created_by == root()
    assert AuditEntry.objects.get(action="create").object_id == str(record.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2020-07-28", datetime.date(2020, 7, 28)),
        ("2020/7/28", datetime.date(2020, 7, 28)),
        ("2020年07月28日", datetime.date(2020, 7, 28)),
        ("2020.07.28", datetime.date(2020, 7, 28)),
        ("2021-10-08 15:47", datetime.date(2021, 10, 8)),
        ("2024年04月06日 16:40", datetime.date(2024, 4, 6)),
    ],
)
def test_date_forms_of_old_sites(vocabulary, cell, expected):
    report = run(csv_file(row(发文日期=cell, 公开日期="")), commit=True)
    assert report.ok, [str(p) for p in report.problems]
    assert DisclosureRecord.objects.get().issued_on == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("topic", "path"),
    [
        ("城乡建设、环境保护 / 城市规划", "首页 > 政府信息公开 >> 信息公开目录 » 规划计划"),
        ("综合政务,文秘工作", "信息公开目录 / 规划计划"),
        ("综合政务", "plans"),
    ],
)
def test_topic_and_breadcrumb_forms(vocabulary, topic, path):
    report = run(csv_file(row(主题=topic, 目录=path, 关键词="学校；机关 总结")), commit=True)
    assert report.ok, [str(p) for p in report.problems]
    record = DisclosureRecord.objects.get()
    assert record.topic.name == topic.split("/")[-1].split(",")[-1].strip()
    assert record.category.slug == "plans"
    assert record.keyword_names() == ["学校", "机关", "总结"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number",
    [
        "014006470/2020-00120",
        "04618780/2022-00317",
        "11341702486344515H/202110-00013",
        "6107280000/2024-001005",
        "20191202-189769",
    ],
)
def test_province_index_numbers_are_kept_verbatim(vocabulary, number):
    assert run(csv_file(row(信息索引号=number)), commit=True).ok
    assert DisclosureRecord.objects.get().index_number == number


@pytest.mark.django_db
def test_validity_and_time_limited_disclosure(vocabulary):
    rows = [
        row(信息索引号="014006470/2020-00001", 有效期="执行中"),
        row(信息索引号="014006470/2020-00002", 有效期="2025年12月31日"),
        row(信息索引号="014006470/2020-00003", 有效期="— —"),
    ]
    assert run(csv_file(*rows), commit=True).ok
    values = dict(DisclosureRecord.objects.values_list("index_number", "valid_until"))
    assert values["014006470/2020-00001"] is None
    assert values["014006470/2020-00002"] == datetime.date(2025, 12, 31)
    assert values["014006470/2020-00003"] is None
    assert not DisclosureRecord.objects.exclude(disclosure_period=DisclosurePeriod.LONG_TERM)


@pytest.mark.django_db
def test_one_bad_row_imports_nothing_and_is_named(vocabulary):
    rows = [
        row(信息索引号="014006470/2020-00001"),
        row(信息索引号="014006470/2020-00002", 发文日期="2020-13-45", 公开日期=""),
        row(信息索引号="014006470/2020-00003"),
    ]
    report = run(csv_file(*rows), commit=True)
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(3, "发文日期")]
    assert "2020-13-45" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()
    refused = AuditEntry.objects.get(action="import")
    assert refused.details["committed"] is False


@pytest.mark.django_db
def test_dry_run_is_the_default_and_writes_nothing(vocabulary):
    report = run(csv_file(row()))
    assert report.ok and report.dry_run and report.created == 1
    assert not DisclosureRecord.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_reimport_updates_by_index_number_without_duplicates(vocabulary):
    assert run(csv_file(row()), commit=True).created == 1
    report = run(csv_file(row(标题="改过的标题")), commit=True)
    assert (report.created, report.updated) == (0, 1)
    assert DisclosureRecord.objects.get().title == "改过的标题"
    assert DisclosureRecord.objects.get().keyword_names() == ["学校", "机关", "总结"]


@pytest.mark.django_db
def test_duplicate_index_numbers_in_a_file_are_refused(vocabulary):
    report = run(csv_file(row(), row(标题="另一条")), commit=True)
    assert [(p.row, p.column) for p in report.problems] == [(3, "信息索引号")]
    assert "第 2 行" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_gbk_file_is_recognised_and_refused_unless_asked_for(vocabulary):
    data = csv_file(row(), encoding="gbk").getvalue()
    report = run(io.BytesIO(data), commit=True)
    assert not report.ok and "GBK" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()
    assert run(io.BytesIO(data), commit=True, encoding="gb18030").ok
    assert DisclosureRecord.objects.get().title == GOOD[1]


@pytest.mark.django_db
def test_missing_required_columns_are_named(vocabulary):
    header = [h for h in HEADER if h not in {"发布机构", "发文日期", "公开日期"}]
    values = [v for h, v in zip(HEADER, GOOD, strict=True) if h in header]
    report = run(csv_file(values, header=header), commit=True)
    assert "发布机构" in str(report.problems[0]) and "发文日期或公开日期" in str(report.problems[0])


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n"])
def test_empty_file_is_reported(vocabulary, content):
    report = run(io.BytesIO(content), commit=True)
    assert not report.ok and "为空" in report.problems[0].message


@pytest.mark.django_db
def test_file_over_the_size_limit_is_refused_before_reading(vocabulary, settings):
    big = io.BytesIO(b"x" * (50 * 1024 * 1024))
    report = run(big, commit=True, max_bytes=settings.DISCLOSURE_IMPORT_MAX_BYTES)
    assert not report.ok and "文件过大" in report.problems[0].message


@pytest.mark.django_db
def test_merged_cells_in_a_workbook_are_refused(vocabulary):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(row(信息索引号="014006470/2020-00001"))
    sheet.append(row(信息索引号="014006470/2020-00002"))
    sheet.merge_cells("G2:G3")
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    report = run(data, name="old.xlsx", commit=True)
    assert (
        not report.ok
        and "合并单元格" in report.problems[0].message
        and "G2:G3" in str(report.problems[0])
    )


@pytest.mark.django_db
def test_plain_workbook_and_json_list_are_read(vocabulary):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(row())
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    assert run(data, name="old.xlsx", commit=True).created == 1
    objects = [dict(zip(HEADER, row(信息索引号="20191202-189769"), strict=True))]
    payload = io.BytesIO(json.dumps(objects, ensure_ascii=False).encode())
    assert run(payload, name="old.json", commit=True).created == 1


@pytest.mark.django_db
def test_unknown_vocabulary_is_listed_or_created_on_request(vocabulary):
    source = row(发布机构="某某县教育局", 体裁="新体裁", 目录="政府信息公开 / 新栏目")
    report = run(csv_file(source), commit=True)
    problems = " ".join(str(p) for p in report.problems)
    assert "某某县教育局" in problems and "新体裁" in problems and "新栏目" in problems
    assert not Organization.objects.filter(name="某某县教育局").exists()
    report = run(csv_file(source), commit=True, create_missing=True)
    assert report.ok, [str(p) for p in report.problems]
    record = DisclosureRecord.objects.get()
    assert record.organization.name == "某某县教育局"
    assert str(record.category) == "政府信息公开 / 新栏目"


@pytest.mark.django_db
def test_default_category_for_rows_without_one(vocabulary):
    header = [h for h in HEADER if h != "目录"]
    values = [v for h, v in zip(HEADER, GOOD, strict=True) if h != "目录"]
    assert not run(csv_file(values, header=header), commit=True).ok
    report = run(csv_file(values, header=header), commit=True, default_category=7)
    assert report.ok and DisclosureRecord.objects.get().category_id == 7


@pytest.mark.django_db
def test_traditional_script_is_kept_as_written(vocabulary):
    assert run(csv_file(row(标题="關於做好教育工作的通知")), commit=True).ok
    assert DisclosureRecord.objects.get().title == "關於做好教育工作的通知"


@pytest.mark.django_db
def test_command_reports_rows_and_fails_without_writing(tmp_path, vocabulary):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_file(row(), row(信息索引号="014006470/2020-00121", 发布机构="")).getvalue()
    )
    out = io.StringIO()
    root()
    with pytest.raises(CommandError, match="未导入"):
        call_command("import_records", str(path), "--commit", "--actor", "import_root", stdout=out)
    assert "第 3 行「发布机构」" in out.getvalue()
    assert not DisclosureRecord.objects.exists()
    path.write_bytes(csv_file(row()).getvalue())
    call_command("import_records", str(path), "--commit", "--actor", "import_root", stdout=out)
    assert DisclosureRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_command_says_when_the_imported_records_are_searchable(tmp_path, vocabulary):
    from search import search_records

    path = tmp_path / "two.csv"
    path.write_bytes(csv_file(row()).getvalue())
    draft = tmp_path / "draft.csv"
    draft.write_bytes(
        csv_file(row(信息索引号="014006470/2020-00121", 标题="草稿不进索引")).getvalue()
    )
    root()
    out = io.StringIO()
    call_command("import_records", str(path), "--commit", "--publish", "--actor", "import_root",
                 stdout=out)  # fmt: skip
    call_command("import_records", str(draft), "--commit", "--actor", "import_root", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "已导入:共 1 行,新建 1 条,更新 0 条。"
    assert lines[1].startswith("写入用时 ")
    assert lines[2].startswith("检索索引已更新:1 条已发布信息可检索(用时 ")
    assert lines[3] == "各行已直接发布(发布人为您)。"
    assert lines[6].startswith("检索索引已更新:0 条已发布信息可检索(用时 ")
    assert lines[7].startswith("新建的信息为草稿")
    assert search_records(query="上半年总结").total == 1
    assert search_records(query="草稿不进索引").total == 0


@pytest.mark.django_db
def test_committed_import_is_searchable_at_once_in_either_script(
    vocabulary, django_capture_on_commit_callbacks
):
    from search import search_records

    traditional = row(
        **{"信息索引号": "014006470/2021-00007", "标题": "關於做好冷鏈食品疫情防控工作的通知"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = run(csv_file(row(), traditional), commit=True)
    assert report.ok, [str(p) for p in report.problems]
    assert [h.record.index_number for h in search_records(query="冷链食品").hits] == [
        "014006470/2021-00007"
    ]
    assert search_records(query="上半年總結").total == 1


@pytest.mark.django_db
def test_a_workbook_continued_on_a_second_sheet_is_refused_not_half_read(vocabulary):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(row(信息索引号="014006470/2020-00001"))
    notes = workbook.create_sheet("说明")
    notes.append(["本表由旧网站导出"])
    more = workbook.create_sheet("导出2")
    more.append(HEADER)
    more.append(row(信息索引号="014006470/2020-00002"))
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    report = run(data, name="big.xlsx", commit=True)
    assert not report.ok and "导出2" in report.problems[0].message
    assert not DisclosureRecord.objects.exists()


@pytest.mark.django_db
def test_a_notes_sheet_beside_the_data_is_ignored(vocabulary):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(row())
    workbook.create_sheet("说明").append(["本表由旧网站导出"])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    report = run(data, name="old.xlsx", commit=True)
    assert report.ok and DisclosureRecord.objects.count() == 1


@pytest.mark.django_db
def test_command_names_its_actor_in_the_audit_log_and_refuses_an_unknown_one(tmp_path, vocabulary):
    path = tmp_path / "one.csv"
    path.write_bytes(csv_file(row()).getvalue())
    with pytest.raises(CommandError, match="没有账号 nobody"):
        call_command("import_records", str(path), "--commit", "--actor", "nobody")
    assert not DisclosureRecord.objects.exists()
    clerk = make_staff(REVIEWER, organization=Organization.objects.get(pk=1), username="clerk")
    call_command("import_records", str(path), "--commit", "--actor", "clerk", stdout=io.StringIO())
    assert AuditEntry.objects.get(action="import").actor == clerk
    assert DisclosureRecord.objects.get().created_by == clerk


@pytest.mark.django_db
def test_genre_normative_document_marks_the_record_for_table_two(vocabulary):
    """体裁 规范性文件 of an old site → the record's 行政规范性文件 attribute, which the annual
    report counts; any other 体裁 leaves it unmarked."""
    from disclosure.choices import NormativeKind
    from reports.services import compute_normative_counts

    normative = row(体裁="规范性文件", 文件编号="锡教规〔2020〕1号")
    other = row(信息索引号="014006470/2020-00121", 标题="工作总结")
    report = run(csv_file(normative, other), commit=True, create_missing=True)
    assert report.ok, [str(p) for p in report.problems]
    kinds = dict(DisclosureRecord.objects.values_list("document_number", "normative_kind"))
    assert kinds == {"锡教规〔2020〕1号": NormativeKind.NORMATIVE, "": NormativeKind.NONE}
    bureau = Organization.objects.get(name="无锡市教育局")
    counts = compute_normative_counts(organization=bureau, year=2020)
    assert (counts["normative_issued"], counts["normative_valid"]) == (1, 1)
