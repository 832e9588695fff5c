"""The seed page (tests/data/seed) round-trips through fixtures/seed_record.json, field by field."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from disclosure.models import Category, DisclosureRecord, Genre, Topic

SEED_PAGE = Path(__file__).resolve().parents[1] / "data" / "seed" / "000_352766689d8c64be.txt"
LABELS = [
    "信息索引号", "发文日期", "公开日期", "文件编号", "公开时限", "发布机构",
    "公开形式", "公开方式", "公开范围", "有效期", "公开程序", "主题",
    "体裁", "关键词", "文件下载", "内容概述",
]  # fmt: skip


def seed_page_lines() -> list[str]:
    return [line.strip() for line in SEED_PAGE.read_text(encoding="utf-8").splitlines()]


def seed_metadata() -> dict[str, str]:
    """The metadata table as the page shows it: each label line followed by its value line."""
    lines = seed_page_lines()
    start = lines.index("信息索引号")
    values: dict[str, str] = {}
    for i, label in enumerate(LABELS):
        pos = lines.index(label, start)
        nxt = lines[pos + 1]
        values[label] = "" if nxt in LABELS or nxt == "显示全部表格信息" else nxt
        start = pos + 1
        del i
    return values


def seed_body_paragraphs() -> list[str]:
    lines = seed_page_lines()
    body = lines[lines.index("显示全部表格信息") + 1 : lines.index("微信公众号")]
    return [line for line in body if line]


def record_metadata(record: DisclosureRecord) -> dict[str, str]:
    return {
        "信息索引号": record.index_number or "",
        "发文日期": f"{record.issued_on:%Y-%m-%d}",
        "公开日期": f"{record.publication_date:%Y-%m-%d}",
        "文件编号": record.document_number,
        "公开时限": record.disclosure_period_label,
        "发布机构": record.organization.name,
        "公开形式": record.disclosure_forms_label,
        "公开方式": record.get_disclosure_method_display(),
        "公开范围": record.get_disclosure_scope_display(),
        "有效期": record.validity_label,
        "公开程序": record.procedure,
        "主题": str(record.topic),
        "体裁": str(record.genre),
        "关键词": ",".join(record.keyword_names()),
        "文件下载": " ".join(a.title for a in record.attachments.all()),
        "内容概述": record.summary,
    }


@pytest.mark.django_db
def test_every_seed_metadata_field_round_trips(seed_data):
    record = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    expected = seed_metadata()
    assert record_metadata(record) == expected
    # 公开形式 on the page separates with 、 exactly as we render it.
    assert expected["公开形式"] == "网站、文件、政府公报"


@pytest.mark.django_db
def test_seed_title_time_source_and_breadcrumb(seed_data):
    lines = seed_page_lines()
    record = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    assert record.title in lines
    time_line = next(line for line in lines if line.startswith("时间:"))
    from django.utils import timezone

    assert timezone.localtime(record.published_at).strftime("%Y-%m-%d %H:%M") in time_line
    assert f"来源: {record.source}" in time_line
    crumb = next(line for line in lines if line.startswith("当前位置:"))
    path = " / ".join(node.name for node in record.category.ancestors_and_self())
    assert crumb == f"当前位置:首页 / {path}"


@pytest.mark.django_db
def test_seed_body_is_the_full_page_text_paragraph_by_paragraph(seed_data):
    record = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    paragraphs = re.findall(r"<p>(.*?)</p>", record.body)
    assert paragraphs == seed_body_paragraphs()


@pytest.mark.django_db
def test_seed_plan_has_seven_summary_and_five_plan_items(seed_data):
    plan = DisclosureRecord.objects.get(index_number="014006470/2020-00120").work_plan
    sections = list(plan.sections.order_by("ordinal"))
    assert [s.heading for s in sections] == ["上半年任务完成情况", "下半年工作计划安排"]
    first = [i.heading for i in sections[0].items.order_by("ordinal")]
    second = [i.heading for i in sections[1].items.order_by("ordinal")]
    assert len(first) == 7 and len(second) == 5
    assert first[0] == "党的领导得到全面加强"
    assert second[0] == "推进落实教育优先发展"
    assert second[2] == "推动高教职教重点突破"
    lines = seed_page_lines()
    numerals = "一二三四五六七"
    for section, headings in ((sections[0], first), (sections[1], second)):
        for item, heading in zip(section.items.order_by("ordinal"), headings, strict=True):
            assert f"{numerals[item.ordinal - 1]}是{heading}。{item.text}" in lines


@pytest.mark.django_db
def test_vocabulary_matches_the_national_lists(vocabulary):
    assert Topic.objects.filter(parent=None).count() == 22
    edu = Topic.objects.get(name="科技、教育", parent=None)
    assert [t.name for t in edu.children.order_by("ordering")] == [
        "科技",
        "教育",
        "知识产权",
        "其他",
    ]
    genres = list(Genre.objects.order_by("ordering").values_list("name", flat=True))
    assert genres[:15] == [
        "决议", "决定", "命令（令）", "公报", "公告", "通告", "意见", "通知", "通报", "报告",
        "请示", "批复", "议案", "函", "纪要",
    ]  # fmt: skip
    assert set(genres[15:]) == {"规划", "计划", "总结", "其他"}
    root = Category.objects.get(parent=None)
    assert set(
        root.children.exclude(national_column="").values_list("national_column", flat=True)
    ) == {"guide", "rules", "statutory", "annual_report", "on_request"}


@pytest.mark.django_db
def test_seed_record_is_reachable_from_the_home_page(client, seed_data):
    home = client.get(reverse("portal:home"))
    record = DisclosureRecord.objects.get(index_number="014006470/2020-00120")
    assert record.get_absolute_url() in home.content.decode()
    page = client.get(record.get_absolute_url()).content.decode()
    for value in seed_metadata().values():
        assert value in page
