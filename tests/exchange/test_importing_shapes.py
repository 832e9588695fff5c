"""Real legacy files import in one go (issue 15; issue 18, item 9).

The file below has every shape the issue lists, written by hand (not copied from any site):
Traditional-script values, full-width and padded names, USCC and local index numbers, a number
that lost its organization code, validity ranges in one cell, 长期/长期有效/—, dates with
年月日, dots, slashes, Chinese numerals and times, a missing 发布机构 that 来源 or 文号 names,
attachments from a folder, and published rows without an index number.
"""

import csv
import datetime
import io
import os

import pytest
from django.core.management import CommandError, call_command

from disclosure.models import (
    Attachment,
    AuditEntry,
    DisclosureRecord,
    Organization,
    Topic,
    VocabularyAlias,
)
from exchange.importing import import_records
from exchange.importing import service as import_service
from tests.exchange.test_importing import root
from tests.factories import tiny_pdf

HEADER = [
    "信息索引号", "标题", "发文日期", "文件编号", "发布机构", "来源", "公开时限", "公开方式",
    "公开范围", "公开形式", "生效日期", "有效期", "主题", "体裁", "目录", "附件",
]  # fmt: skip
CATEGORY = "政府信息公开 / 信息公开目录 / 规划计划"


def line(**cells) -> dict:
    base = {
        "标题": "标题", "发文日期": "2020-07-28", "发布机构": "无锡市教育局",
        "公开时限": "长期公开", "公开方式": "主动公开", "公开范围": "面向社会",
        "公开形式": "网站", "主题": "科技、教育--教育", "体裁": "其他", "目录": CATEGORY,
    }  # fmt: skip
    base.update(cells)
    return base


ROWS = [
    # 1-2: Traditional controlled values; a new body spelt in both scripts (and padded)
    line(信息索引号="11330524K14997740W/2023-2022090262", 标题="繁体一",
         发布机构="宜興市人民政府網站",
         公开时限="長期公開", 公开方式="主動公開", 公开范围="面向社會", 公开形式="網站、政府公報",
         主题="綜合政務--文秘工作"),
    line(信息索引号="000014349/2020-00120", 标题="简体一", 发布机构="宜兴市人民政府网站 ",
         主题="综合政务 -- 文秘工作"),
    line(信息索引号="XXGK-2021-0001", 标题="区局繁体", 发布机构="梁溪區民政局"),
    line(信息索引号="XXGK-2021-0002", 标题="区局简体", 发布机构="梁溪区民政局"),
    # 5: a number that lost its code; validity as a range with 废止
    line(信息索引号="/2025-0000", 标题="废止的", 发文日期="2019.01.20",
         有效期="生效时间 2019-01-23 / 废止时间 2020-01-23"),
    # 6: a range with 失效, in 年月日
    line(信息索引号="014006470/2021-00007", 标题="失效的", 发文日期="2021/12/30",
         有效期="实施日期 2022年01月01日 / 失效日期 2026年12月31日"),
    # 7-9: open-ended validity, Chinese numerals, a date-time; published without a number
    line(标题="长期的", 发文日期="二〇二〇年七月二十八日", 有效期="长期",
         文件编号="锡教〔2020〕1号"),
    line(标题="长期有效的", 发文日期="2020-07-28 16:40:00", 有效期="长期有效", 生效日期="—"),
    line(标题="全角的", 发文日期="２０２０年７月２８日", 有效期="—", 公开方式="主 动 公 开"),
    # 10-11: 发布机构 missing, recovered from 来源 or from 文号
    line(标题="来源里的机构", 发布机构="", 来源="宜興市教育局"),
    line(标题="文号里的机构", 发布机构="", 文件编号="锡教发〔2020〕12号"),
    # 12: two attachments, in order
    line(信息索引号="014006470/2020-00900", 标题="有附件的", 附件="通知.pdf；附表.pdf"),
]  # fmt: skip


def shapes_csv(rows=ROWS) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=HEADER)
    writer.writeheader()
    for r in rows:
        writer.writerow({h: r.get(h, "") for h in HEADER})
    return io.BytesIO(text.getvalue().encode("utf-8-sig"))


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "files"
    path.mkdir()
    (path / "通知.pdf").write_bytes(tiny_pdf())
    (path / "附表.pdf").write_bytes(tiny_pdf(padding=100))
    return path


@pytest.fixture
def doc_prefix(vocabulary):
    """无锡市教育局's documents are numbered 锡教发〔年〕号."""
    Organization.objects.filter(pk=1).update(short_name="锡教")


def run(source=None, **options):
    options.setdefault("actor", root())
    options.setdefault("publish", True)
    options.setdefault("create_missing", True)
    return import_records(source=source or shapes_csv(), filename="legacy.csv", **options)


@pytest.mark.django_db
def test_file_with_every_shape_imports_in_one_go(doc_prefix, folder):
    report = run(commit=True, attachments_dir=folder)
    assert report.ok, [str(p) for p in report.problems]
    assert report.committed and report.created == len(ROWS)
    by_title = {r.title: r for r in DisclosureRecord.objects.all()}

    # one body per name, whatever the script: named in Simplified, the other spelling an alias
    yixing = Organization.objects.get(name="宜兴市人民政府网站")
    assert not Organization.objects.filter(name__contains="網").exists()
    assert {by_title["繁体一"].organization, by_title["简体一"].organization} == {yixing}
    assert by_title["区局繁体"].organization == by_title["区局简体"].organization
    assert by_title["区局简体"].organization.name == "梁溪区民政局"
    assert VocabularyAlias.objects.filter(organization=yixing, name="宜興市人民政府網站").exists()
    assert Topic.objects.filter(name="综合政务").count() == 1
    assert not Topic.objects.filter(name__in=["綜合政務", "文秘工作 "]).exists()
    assert by_title["繁体一"].topic == by_title["简体一"].topic
    assert by_title["繁体一"].disclosure_forms == ["website", "gazette"]

    # index numbers kept verbatim; the lost-code one kept and flagged
    assert by_title["繁体一"].index_number == "11330524K14997740W/2023-2022090262"
    assert by_title["区局繁体"].index_number == "XXGK-2021-0001"
    assert by_title["废止的"].index_number == "/2025-0000"
    assert any("/2025-0000" in w.message for w in report.warnings)

    # ranges: from → 生效日期, until → 废止日期 or 有效期
    repealed = by_title["废止的"]
    assert (repealed.effective_on, repealed.repealed_on, repealed.valid_until) == (
        datetime.date(2019, 1, 23), datetime.date(2020, 1, 23), None,
    )  # fmt: skip
    assert repealed.validity_status().label == "废止"
    expiring = by_title["失效的"]
    assert (expiring.effective_on, expiring.valid_until) == (
        datetime.date(2022, 1, 1), datetime.date(2026, 12, 31),
    )  # fmt: skip
    for title in ("长期的", "长期有效的", "全角的"):
        assert by_title[title].issued_on == datetime.date(2020, 7, 28)
        assert by_title[title].valid_until is None

    # 发布机构 from 来源 and from 文号
    assert by_title["来源里的机构"].organization.name == "宜兴市教育局"
    assert by_title["文号里的机构"].organization.name == "无锡市教育局"

    # published rows without a number are numbered as publication numbers them
    assert by_title["长期的"].index_number.startswith("014006470/2020-")
    assert by_title["来源里的机构"].index_number.startswith("014046317/2020-")
    assert report.numbered == 5

    # attachments stored and linked in the cell's order
    files = list(by_title["有附件的"].attachments.order_by("position"))
    assert [a.original_name for a in files] == ["通知.pdf", "附表.pdf"]
    assert all(a.file.storage.exists(a.file.name) for a in files)


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing_and_adds_nothing(doc_prefix, folder):
    first = run(commit=True, attachments_dir=folder)
    assert first.ok, [str(p) for p in first.problems]
    numbers = dict(DisclosureRecord.objects.values_list("title", "index_number"))
    counts = (Organization.objects.count(), Topic.objects.count(), VocabularyAlias.objects.count())
    again = run(commit=True, attachments_dir=folder)
    assert again.ok, [str(p) for p in again.problems]
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(ROWS))
    assert dict(DisclosureRecord.objects.values_list("title", "index_number")) == numbers
    assert (
        Organization.objects.count(),
        Topic.objects.count(),
        VocabularyAlias.objects.count(),
    ) == (counts)
    assert Attachment.objects.count() == 2
    assert not again.created_vocabulary


@pytest.mark.django_db
def test_reimported_drafts_without_number_are_matched_not_added(vocabulary):
    rows = [line(标题="草稿甲", 文件编号="锡教〔2020〕5号"), line(标题="草稿乙")]
    for _ in range(2):
        report = run(shapes_csv(rows), commit=True, publish=False)
        assert report.ok, [str(p) for p in report.problems]
    assert DisclosureRecord.objects.count() == 2
    assert (report.updated, report.unchanged) == (0, 2)
    assert DisclosureRecord.objects.filter(index_number=None).count() == 2


@pytest.mark.django_db
def test_reimport_matches_an_unnumbered_row_whose_twin_is_numbered_further_down(
    vocabulary, monkeypatch
):
    """Two different notices with one key (same body, date, title, no 文号): the first row has
    no 信息索引号 (it gets one at publication), the second, in a later chunk, has one. On the
    re-import the first row's key names both records until the second row has claimed its own."""
    monkeypatch.setattr(import_service, "CHUNK_SIZE", 2)
    rows = [
        line(标题="关于开展安全检查的通知"),
        line(标题="其他一"),
        line(标题="其他二", 信息索引号="014006470/2020-00901"),
        line(标题="关于开展安全检查的通知", 信息索引号="014006470/2020-00902"),
    ]
    first = run(shapes_csv(rows), commit=True)
    assert first.ok, [str(p) for p in first.problems]
    numbers = dict(DisclosureRecord.objects.values_list("pk", "index_number"))
    again = run(shapes_csv(rows), commit=True)
    assert again.ok, [str(p) for p in again.problems]
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert dict(DisclosureRecord.objects.values_list("pk", "index_number")) == numbers


@pytest.mark.django_db
def test_rows_whose_key_stays_ambiguous_are_still_reported(vocabulary, monkeypatch):
    monkeypatch.setattr(import_service, "CHUNK_SIZE", 2)
    twin = [line(标题="同名通知", 信息索引号=f"014006470/2020-0091{i}") for i in range(2)]
    assert run(shapes_csv(twin), commit=True).ok
    report = run(shapes_csv([line(标题="其他"), line(标题="同名通知")]), commit=True)
    assert not report.ok and DisclosureRecord.objects.count() == 2
    assert any(p.row == 3 and "无法判断更新哪一条" in p.message for p in report.problems)


@pytest.mark.django_db
def test_same_unnumbered_row_twice_in_a_file_is_refused(vocabulary):
    report = run(shapes_csv([line(标题="同一条"), line(标题="同一条")]), commit=True)
    assert not report.ok and not DisclosureRecord.objects.exists()
    assert any(p.row == 3 and "第 2 行" in p.message for p in report.problems)


@pytest.mark.django_db
def test_lost_code_number_is_renumbered_only_when_asked(vocabulary):
    rows = [line(信息索引号="/2025-0000", 标题="缺代码", 发文日期="2025-03-01")]
    run(shapes_csv(rows), commit=True, renumber_lost=True)
    assert DisclosureRecord.objects.get().index_number == "014006470/2025-00001"


@pytest.mark.django_db
def test_without_create_missing_traditional_names_of_existing_values_match(vocabulary):
    rows = [line(标题="繁体机构", 发布机构="無錫市教育局", 主题="科技、教育--教育", 体裁="其他")]
    report = run(shapes_csv(rows), create_missing=False)
    assert report.ok, [str(p) for p in report.problems]
    assert report.matched_vocabulary == {"organization": {"無錫市教育局": "无锡市教育局"}}
    assert any(
        "按别名或繁简体匹配的发布机构:無錫市教育局 → 无锡市教育局" in d for d in report.digest()
    )


@pytest.mark.django_db
def test_dry_run_summary_groups_problems_and_values_to_create(vocabulary, capsys):
    rows = [
        line(标题="好的", 发布机构="梁溪區民政局"),
        line(标题="坏日期", 发文日期="2020年13月1日"),
        line(标题="坏日期二", 有效期="明年"),
        line(标题="没有机构", 发布机构="", 来源="不认识的单位"),
    ]
    report = run(shapes_csv(rows))
    assert not report.ok and not DisclosureRecord.objects.exists()
    assert not Organization.objects.filter(name="梁溪区民政局").exists()  # rolled back
    digest = report.digest()
    assert digest[0] == "可导入的行:1 / 4"
    assert digest[1].startswith("有问题的行:3")
    assert "「发文日期」1 个" in digest[1] and "「有效期」1 个" in digest[1]
    assert "将创建发布机构 1 个:梁溪区民政局" in digest
    bad = {(p.row, p.column) for p in report.problems}
    assert {(3, "发文日期"), (4, "有效期"), (5, "发布机构")} <= bad
    assert set(report.problem_rows) == {3, 4, 5}
    assert report.problem_rows[4]["有效期"] == "明年"


@pytest.mark.django_db
def test_command_prints_the_summary(vocabulary, tmp_path, capsys):
    path = tmp_path / "legacy.csv"
    path.write_bytes(shapes_csv([line(标题="甲", 发布机构="梁溪區民政局")]).getvalue())
    root()
    call_command("import_records", str(path), "--actor", "import_root", "--create-missing")
    out = capsys.readouterr().out
    assert "可导入的行:1 / 1" in out
    assert "将创建发布机构 1 个:梁溪区民政局" in out


@pytest.mark.django_db
def test_missing_attachment_is_a_reported_problem_and_nothing_is_kept(vocabulary, folder):
    rows = [line(信息索引号="014006470/2020-00901", 标题="缺附件", 附件="通知.pdf\n不存在.pdf")]
    report = run(shapes_csv(rows), commit=True, attachments_dir=folder)
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(2, "文件下载")]
    assert "不存在.pdf" in report.problems[0].message
    assert not DisclosureRecord.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
def test_attachment_names_cannot_leave_the_folder(vocabulary, folder, tmp_path, settings):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(tiny_pdf())
    os.symlink(secret, folder / "link.pdf")
    for name in ("../secret.pdf", str(secret), "link.pdf", "sub/../../secret.pdf"):
        rows = [line(信息索引号="014006470/2020-00902", 标题="越界", 附件=name)]
        report = run(shapes_csv(rows), commit=True, attachments_dir=folder)
        assert not report.ok, name
        assert report.problems[0].column == "文件下载"
    assert not Attachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


@pytest.mark.django_db
def test_attachment_failing_upload_checks_is_refused(vocabulary, folder):
    (folder / "伪装.pdf").write_bytes(b"MZ\x90\x00 not a pdf")
    rows = [line(信息索引号="014006470/2020-00903", 标题="伪装", 附件="伪装.pdf")]
    report = run(shapes_csv(rows), commit=True, attachments_dir=folder)
    assert not report.ok and "可执行" in report.problems[0].message


@pytest.mark.django_db
def test_import_audit_entry_counts_numbers_and_files(doc_prefix, folder):
    run(commit=True, attachments_dir=folder)
    entry = AuditEntry.objects.get(action="import")
    assert entry.details["numbered"] == 5 and entry.details["attachments"] == 2


@pytest.mark.django_db
def test_attachments_dir_that_does_not_exist_is_a_clear_error(vocabulary, tmp_path, capsys):
    root()
    path = tmp_path / "f.csv"
    path.write_bytes(shapes_csv([line()]).getvalue())
    with pytest.raises(CommandError):
        call_command(
            "import_records", str(path), "--actor", "import_root",
            "--attachments", str(tmp_path / "nowhere"),
        )  # fmt: skip
    assert "附件文件夹" in capsys.readouterr().out


@pytest.mark.django_db
def test_unnumbered_row_never_overwrites_a_numbered_row_of_the_same_file(vocabulary):
    """Found by bench/import.py: a draft sharing its key with a numbered record of the file
    must be a record of its own, in the first import and in the re-import."""
    rows = [line(信息索引号="014006470/2020-00950", 标题="同名"), line(标题="同名")]
    for _ in range(2):
        report = run(shapes_csv(rows), commit=True)
        assert report.ok, [str(p) for p in report.problems]
    assert DisclosureRecord.objects.filter(title="同名").count() == 2
