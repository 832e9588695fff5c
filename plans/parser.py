"""Split a plan or summary body into sections and numbered items, flagging what looks wrong.

Pure functions, no database: the admin shows the proposal for review before anything is saved.
Real documents number their parts in a few ways: sections 一、二、…; items 一是/二是, （一）（二）,
1. 2. / 1、2、 or 第一，第二，. The item heading is the phrase up to its first 。 and the rest
is its text. Within a section the first numbering style met is the item level; deeper numbering
(1. inside （一）) stays in the item's text. Bad input never raises: the parser returns what it
found and lists anomalies for the editor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from plans.choices import PlanSectionKind

CN_DIGITS = "零一二三四五六七八九"
CN_NUMERAL = r"[一二三四五六七八九十]{1,3}"
IMPLICIT_SECTION_HEADING = "全文"
HEADING_MAX_CHARS = 300
LONG_HEADING_CHARS = 60
LONG_ITEM_CHARS = 1500

SECTION_RE = re.compile(rf"^({CN_NUMERAL})、(.*)$", re.S)
ITEM_STYLES: dict[str, re.Pattern[str]] = {
    "是": re.compile(rf"^({CN_NUMERAL})是(?![否的])(.*)$", re.S),
    "（）": re.compile(rf"^[（(]({CN_NUMERAL})[）)]\s*(.*)$", re.S),
    "1.": re.compile(r"^(\d{1,2})(?:[.．](?!\d)|、)\s*(.*)$", re.S),
    "第一，": re.compile(rf"^第({CN_NUMERAL})[，,、：:]\s*(.*)$", re.S),
}
STYLE_LABELS = {"是": "一是", "（）": "（一）", "1.": "1.", "第一，": "第一，"}
INLINE_SHI_RE = re.compile(rf"(?<=[。；;：:])(?=(?:{CN_NUMERAL})是)")
SUMMARY_WORDS = ("完成情况", "总结", "回顾", "成效", "进展情况", "主要工作")
BLOCK_TAGS = {
    "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "section", "article", "blockquote", "ul", "ol", "dd", "dt",
}  # fmt: skip
SPACES = " \t\r\n\u3000\xa0"


@dataclass
class ParsedItem:
    ordinal: int
    heading: str
    text: str
    number: int = 0
    marker: str = ""


@dataclass
class ParsedSection:
    ordinal: int
    heading: str
    kind: str
    items: list[ParsedItem] = field(default_factory=list)
    style: str = ""


@dataclass(frozen=True)
class Anomaly:
    code: str
    message: str


@dataclass
class ParsedPlan:
    sections: list[ParsedSection]
    anomalies: list[Anomaly]

    @property
    def item_count(self) -> int:
        return sum(len(section.items) for section in self.sections)


def chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23 (section and item numbers)."""
    if "十" not in text:
        return CN_DIGITS.index(text) if len(text) == 1 else 0
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return 0
    return (CN_DIGITS.index(tens) if tens else 1) * 10 + (CN_DIGITS.index(ones) if ones else 0)


def chinese_numeral(number: int) -> str:
    if number <= 10:
        return "十" if number == 10 else CN_DIGITS[number]
    tens, ones = divmod(number, 10)
    return f"{CN_DIGITS[tens] if tens > 1 else ''}十{CN_DIGITS[ones] if ones else ''}"


class _BlockText(HTMLParser):
    """Text of an HTML body, one entry per block; table cells of a row joined by a space."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.saw_table = False

    def _break(self) -> None:
        self.blocks.append("".join(self.current))
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.saw_table = True
        if tag in BLOCK_TAGS:
            self._break()
        elif tag in ("td", "th"):
            self.current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def close(self) -> None:
        super().close()
        self._break()


def body_paragraphs(body: str) -> tuple[list[str], bool]:
    """Non-empty paragraphs of an HTML or plain-text body, and whether it held a table."""
    if re.search(r"<[a-zA-Z][^>]*>", body or ""):
        reader = _BlockText()
        reader.feed(body)
        reader.close()
        blocks, saw_table = reader.blocks, reader.saw_table
    else:
        blocks, saw_table = unescape(body or "").splitlines(), False
    paragraphs: list[str] = []
    for block in blocks:
        for piece in INLINE_SHI_RE.split(re.sub(r"\s+", " ", block).strip(SPACES)):
            if piece.strip(SPACES):
                paragraphs.append(piece.strip(SPACES))
    return paragraphs, saw_table


def split_heading(text: str) -> tuple[str, str]:
    """The phrase up to the first 。 is the heading, the rest its text."""
    heading, stop, rest = text.partition("。")
    if not stop:
        return text.strip(SPACES).rstrip("；;，,:："), ""
    return heading.strip(SPACES), rest.strip(SPACES)


def section_kind(heading: str) -> str:
    if any(word in heading for word in SUMMARY_WORDS):
        return PlanSectionKind.SUMMARY
    return PlanSectionKind.PLAN


def match_item(paragraph: str, style: str | None) -> tuple[str, int, str] | None:
    """(style, number, rest) when the paragraph opens an item of `style` (any style if None)."""
    styles = [style] if style else list(ITEM_STYLES)
    for name in styles:
        match = ITEM_STYLES[name].match(paragraph)
        if match:
            number = int(match[1]) if name == "1." else chinese_number(match[1])
            if number:
                return name, number, match[2]
    return None


def parse_plan(body: str) -> ParsedPlan:
    paragraphs, saw_table = body_paragraphs(body)
    anomalies: list[Anomaly] = []
    if saw_table:
        anomalies.append(Anomaly("table", "正文含表格:表格内容已按行读入,请核对拆分结果。"))

    sections: list[ParsedSection] = []
    section_numbers: list[int] = []
    styles: list[str | None] = []
    current_item: ParsedItem | None = None
    for paragraph in paragraphs:
        section_match = SECTION_RE.match(paragraph)
        if section_match and chinese_number(section_match[1]):
            heading, _ = split_heading(section_match[2])
            sections.append(ParsedSection(len(sections) + 1, heading, section_kind(heading)))
            section_numbers.append(chinese_number(section_match[1]))
            styles.append(None)
            current_item = None
            continue
        found = match_item(paragraph, styles[-1] if styles else None)
        if found:
            style, number, rest = found
            if not sections:
                sections.append(ParsedSection(1, IMPLICIT_SECTION_HEADING, PlanSectionKind.PLAN))
                section_numbers.append(0)
                styles.append(None)
            styles[-1] = sections[-1].style = style
            section = sections[-1]
            heading, text = split_heading(rest)
            current_item = ParsedItem(
                len(section.items) + 1, heading, text, number, _marker(style, number)
            )
            section.items.append(current_item)
        elif current_item is not None:
            current_item.text = f"{current_item.text}\n{paragraph}".strip("\n")

    if not sections:
        sections.append(ParsedSection(1, IMPLICIT_SECTION_HEADING, PlanSectionKind.PLAN))
        section_numbers.append(0)
    if section_numbers[0]:
        anomalies += _numbering_anomalies("正文", "部分", section_numbers, lambda n: f"{n}、")
    for section in sections:
        anomalies += _section_anomalies(section)
    return ParsedPlan(sections, anomalies)


def _marker(style: str, number: int) -> str:
    numeral = chinese_numeral(number)
    return {
        "是": f"{numeral}是",
        "（）": f"（{numeral}）",
        "1.": f"{number}.",
        "第一，": f"第{numeral}，",
    }[style]


def _numbering_anomalies(
    where: str, unit: str, numbers: list[int], show: Callable[[int], str]
) -> list[Anomaly]:
    found: list[Anomaly] = []
    if numbers and numbers[0] != 1:
        found.append(Anomaly("numbering_start", f"{where}:{unit}编号从“{show(numbers[0])}”开始。"))
    seen: set[int] = set()
    for previous, number in zip([numbers[0] - 1, *numbers], numbers, strict=False):
        if number in seen:
            found.append(Anomaly("duplicate_number", f"{where}:{unit}编号“{show(number)}”重复。"))
        elif number > previous + 1 and previous >= 1:
            missing = "、".join(f"“{show(n)}”" for n in range(previous + 1, number))
            found.append(
                Anomaly(
                    "numbering_gap",
                    f"{where}:{unit}编号从“{show(previous)}”跳到“{show(number)}”,缺少{missing}。",
                )
            )
        elif number < previous and number not in seen:
            found.append(
                Anomaly("numbering_order", f"{where}:{unit}编号“{show(number)}”顺序颠倒。")
            )
        seen.add(number)
    return found


def _section_anomalies(section: ParsedSection) -> list[Anomaly]:
    where = f"“{section.heading}”"
    if not section.items:
        return [Anomaly("no_items", f"{where}:未识别到编号事项。")]
    found = _numbering_anomalies(
        where, "事项", [item.number for item in section.items], lambda n: _marker(section.style, n)
    )
    for item in section.items:
        if len(item.heading) > LONG_HEADING_CHARS:
            found.append(
                Anomaly(
                    "long_heading",
                    f"{where}第{item.ordinal}项:标题超过{LONG_HEADING_CHARS}字"
                    f"(第一个句号前的文字过长),请核对。",
                )
            )
            item.heading = item.heading[:HEADING_MAX_CHARS]
        if len(item.text) > LONG_ITEM_CHARS:
            found.append(
                Anomaly(
                    "long_item",
                    f"{where}第{item.ordinal}项:内容超过{LONG_ITEM_CHARS}字,可能漏拆了编号。",
                )
            )
    return found
