import json
from pathlib import Path

import pytest

from plans.choices import PlanSectionKind
from plans.parser import chinese_number, chinese_numeral, parse_plan

SEED_FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "seed_record.json"


def seed_body() -> str:
    rows = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    return next(r for r in rows if r["model"] == "disclosure.disclosurerecord")["fields"]["body"]


def codes(parsed) -> list[str]:
    return [anomaly.code for anomaly in parsed.anomalies]


def test_seed_yields_seven_summary_and_five_plan_items_with_their_headings():
    parsed = parse_plan(seed_body())
    assert [(s.heading, s.kind) for s in parsed.sections] == [
        ("上半年任务完成情况", PlanSectionKind.SUMMARY),
        ("下半年工作计划安排", PlanSectionKind.PLAN),
    ]
    summary, plan = parsed.sections
    assert [i.heading for i in summary.items] == [
        "党的领导得到全面加强", "基础教育水平持续提升", "高教职教实现提升发展",
        "素质教育取得明显成效", "教师队伍建设得到加强", "教育保障水平全面提升",
        "全力做好疫情防控工作",
    ]  # fmt: skip
    assert [i.heading for i in plan.items] == [
        "推进落实教育优先发展", "提高基础教育发展质量", "推动高教职教重点突破",
        "巩固素质教育发展成效", "提升教育发展保障水平",
    ]  # fmt: skip
    assert plan.items[2].text.startswith("东南大学无锡国际校区力争完成鲁汶学院改造工程")
    assert plan.items[2].text.endswith("推动加强培训机构开展资金监管、信用监管。")
    assert parsed.anomalies == []


def test_seed_items_match_the_fixture_text_exactly():
    rows = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    stored = [r["fields"] for r in rows if r["model"] == "plans.planitem"]
    parsed = [item for section in parse_plan(seed_body()).sections for item in section.items]
    assert [(i.heading, i.text) for i in parsed] == [(f["heading"], f["text"]) for f in stored]


@pytest.mark.parametrize(
    ("lines", "markers"),
    [
        (["一是加强党建。全面从严治党。", "二是深化改革。推进放管服。"], ["一是", "二是"]),
        (["（一）加强党建。全面从严治党。", "（二）深化改革。推进放管服。"], ["（一）", "（二）"]),
        (["(一)加强党建。全面从严治党。", "(二)深化改革。推进放管服。"], ["（一）", "（二）"]),
        (["1.加强党建。全面从严治党。", "2.深化改革。推进放管服。"], ["1.", "2."]),
        (["1、加强党建。全面从严治党。", "2、深化改革。推进放管服。"], ["1.", "2."]),
        (["1．加强党建。全面从严治党。", "2． 深化改革。推进放管服。"], ["1.", "2."]),
        (["第一，加强党建。全面从严治党。", "第二，深化改革。推进放管服。"], ["第一，", "第二，"]),
        (["第一,加强党建。全面从严治党。", "第二、深化改革。推进放管服。"], ["第一，", "第二，"]),
    ],
)
def test_every_numbering_style_gives_headings_and_texts(lines, markers):
    parsed = parse_plan("\n".join(["二、明年工作计划", *lines]))
    [section] = parsed.sections
    assert section.heading == "明年工作计划" and section.kind == PlanSectionKind.PLAN
    assert [i.marker for i in section.items] == markers
    assert [(i.ordinal, i.heading, i.text) for i in section.items] == [
        (1, "加强党建", "全面从严治党。"),
        (2, "深化改革", "推进放管服。"),
    ]


def test_items_without_section_headings_go_into_one_section():
    parsed = parse_plan("<p>（一）加强党建。要求一。</p><p>（二）深化改革。要求二。</p>")
    [section] = parsed.sections
    assert section.heading == "全文"
    assert [i.heading for i in section.items] == ["加强党建", "深化改革"]


def test_inline_shi_items_in_one_paragraph_are_split():
    parsed = parse_plan(
        "一、下一步打算\n下一步重点做好三件事:一是加强党建;二是深化改革;三是优化服务。"
    )
    assert [i.heading for i in parsed.sections[0].items] == ["加强党建", "深化改革", "优化服务"]


def test_nested_numbering_stays_in_the_text_of_its_item():
    body = "\n".join(
        [
            "一、工作任务",
            "（一）推进教育现代化。总体要求如下。",
            "1.出台实施方案。年内完成。",
            "2.开展督导评估。",
            "（二）加强教师队伍建设。",
            "1.完善编制管理。",
            "二、保障措施",
            "（一）加强组织领导。",
        ]
    )
    parsed = parse_plan(body)
    first, second = parsed.sections
    assert [i.heading for i in first.items] == ["推进教育现代化", "加强教师队伍建设"]
    assert first.items[0].text == "总体要求如下。\n1.出台实施方案。年内完成。\n2.开展督导评估。"
    assert first.items[1].text == "1.完善编制管理。"
    assert [i.heading for i in second.items] == ["加强组织领导"]
    assert parsed.anomalies == []


def test_an_item_spanning_several_paragraphs_keeps_them_all():
    body = "<p>一是加强党建。第一段。</p><p>第二段。</p><p>第三段。</p><p>二是深化改革。</p>"
    item, second = parse_plan(body).sections[0].items
    assert item.text == "第一段。\n第二段。\n第三段。"
    assert second.heading == "深化改革" and second.text == ""


def test_text_without_numbering_is_one_section_without_items_and_no_error():
    parsed = parse_plan("<p>今年以来,全市教育系统进展顺利。</p><p>下半年继续努力。</p>")
    [section] = parsed.sections
    assert section.heading == "全文" and section.items == []
    assert codes(parsed) == ["no_items"]


@pytest.mark.parametrize("body", ["", "   ", "<p></p>", "<<<>>>", "一、", "是是是", "（）"])
def test_empty_or_garbage_bodies_never_raise(body):
    parsed = parse_plan(body)
    assert len(parsed.sections) >= 1


def test_broken_numbering_is_flagged_and_items_are_kept():
    parsed = parse_plan("一、计划\n一是甲。\n三是丙。\n四是丁。")
    assert [i.heading for i in parsed.sections[0].items] == ["甲", "丙", "丁"]
    assert [i.ordinal for i in parsed.sections[0].items] == [1, 2, 3]
    assert codes(parsed) == ["numbering_gap"]
    assert "从“一是”跳到“三是”,缺少“二是”" in parsed.anomalies[0].message


def test_duplicated_numbers_are_flagged_and_both_items_kept():
    parsed = parse_plan("一、计划\n（一）甲。\n（二）乙。\n（二）丙。")
    assert [i.heading for i in parsed.sections[0].items] == ["甲", "乙", "丙"]
    assert codes(parsed) == ["duplicate_number"]
    assert "（二）" in parsed.anomalies[0].message


def test_sections_with_broken_numbering_are_flagged():
    parsed = parse_plan("二、总结\n一是甲。\n二、计划\n一是乙。")
    assert [s.heading for s in parsed.sections] == ["总结", "计划"]
    assert set(codes(parsed)) == {"numbering_start", "duplicate_number"}


def test_very_long_items_and_headings_are_flagged():
    long_text = "内容" * 1000
    parsed = parse_plan(f"一、计划\n一是{'很长的标题' * 20}。{long_text}")
    [item] = parsed.sections[0].items
    assert set(codes(parsed)) == {"long_heading", "long_item"}
    assert len(item.heading) <= 300 and item.text == long_text


def test_html_body_with_a_table_reads_rows_and_flags_the_table():
    body = (
        "<p>一、工作计划</p><p>一是推进项目建设。详见下表。</p>"
        "<table><tr><th>项目</th><th>时间</th></tr><tr><td>新建学校</td><td>9月</td></tr></table>"
        "<p>二是加强监管。</p>"
    )
    parsed = parse_plan(body)
    first, second = parsed.sections[0].items
    assert "新建学校 9月" in first.text
    assert second.heading == "加强监管"
    assert codes(parsed) == ["table"]


def test_html_entities_and_full_width_spaces_are_normalized():
    parsed = parse_plan("<p>\u3000\u3000一是加强&amp;改进党建。内容&nbsp;一。</p>")
    [item] = parsed.sections[0].items
    assert item.heading == "加强&改进党建" and item.text == "内容 一。"


def test_chinese_numbers_round_trip():
    for n in range(1, 100):
        assert chinese_number(chinese_numeral(n)) == n
    assert chinese_numeral(12) == "十二" and chinese_numeral(20) == "二十"


def test_the_seed_page_as_plain_text_parses_the_same_way():
    """The shared seed page (text as a browser shows it, indented paragraphs) gives 7 + 5."""
    from tests.disclosure.test_fixtures import seed_body_paragraphs

    text = "\n".join(f"  {paragraph}" for paragraph in seed_body_paragraphs())
    parsed = parse_plan(text)
    assert [len(s.items) for s in parsed.sections] == [7, 5]
    assert parsed.sections[1].items[2].heading == "推动高教职教重点突破"
    assert parsed.anomalies == []


def test_random_mixtures_of_markers_never_raise():
    import random

    pieces = ["一、", "二是", "（三）", "(", "）", "1.", "2、", "第一,", "。", "；", "<p>", "</p>",
              "<table><tr><td>", "</td></tr></table>", "\n", "十二是", "九十九、", "文字", "&amp;",
              "<br>", "是", "十", "0.", "99、", " "]  # fmt: skip
    rng = random.Random(7)
    for _ in range(500):
        body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        parsed = parse_plan(body)
        assert parsed.sections
        for section in parsed.sections:
            assert [i.ordinal for i in section.items] == list(range(1, len(section.items) + 1))
            assert all(len(i.heading) <= 300 for i in section.items)
