"""Turning the values old sites export into field values; each raises ValueError with a reason.

Old platforms wrote dates, lists and vocabularies in many ways (2020/7/28, 2020年07月28日 16:40,
`科技、教育--教育`, `首页 > 信息公开 >> 规划计划`); every form seen in real exports is accepted
here, and anything else is refused with a message the editor can act on, never guessed.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from disclosure.choices import (
    DisclosureForm,
    DisclosureMethod,
    DisclosurePeriod,
    DisclosureScope,
    RecordStatus,
)
from disclosure.convert import matching_key
from disclosure.services.records import split_keywords

#: Values old sites put in a cell to mean "nothing".
PLACEHOLDERS = {"无", "暂无", "—", "——", "— —", "-", "--", "－", "/", "null", "none", "n/a"}
_PLACEHOLDER_LENGTH = max(len(p) for p in PLACEHOLDERS)
#: 有效期 values that mean "no end date" (长期有效).
OPEN_ENDED = {"长期", "长期有效", "有效", "执行中", "现行有效", "永久"}

_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]+(?P<H>\d{1,2})[:：时](?P<M>\d{1,2})(?:[:：分](?P<S>\d{1,2}(?:\.\d+)?))?\s*秒?)?$"
)
_FORM_SEPARATORS = re.compile(r"\s*[、,，;；/]\s*")
_TOPIC_SEPARATORS = re.compile(r"\s*(?:--|——|—|/|>|,|，)\s*")
_PATH_SEPARATORS = re.compile(r"\s*(?:>>|»|›|>|/|\\)\s*")


def clean_text(value: Any) -> str:
    """A cell as text: stripped, spreadsheet-neutralizing apostrophe removed, placeholders empty."""
    if value is None:
        return ""
    if value.__class__ is str:  # nearly every cell: no isinstance chain
        text = value.strip()
    elif isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    else:
        text = str(value).strip()
    if not text:
        return ""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]
    if len(text) <= _PLACEHOLDER_LENGTH and text.lower() in PLACEHOLDERS:
        return ""
    return text


def parse_date(value: Any) -> datetime.date | None:
    """2020-07-28, 2020/7/28, 2020年07月28日, 2020.07.28, 二〇二〇年七月二十八日, full-width
    digits, each optionally with a time."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean_text(value)
    if not text:
        return None
    match = _DATE_RE.match(text)
    if match is None and not text.isascii():
        text = _fold_digits(text)
        match = _DATE_RE.match(text)
    if match:
        try:
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError as exc:
            raise ValueError(f"日期不存在:{text}") from exc
    moment = _parse_iso_moment(text)
    if moment is not None:
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    raise ValueError(f"无法识别的日期:{text}(应如 2020-07-28 或 2020年07月28日)")


_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "O": "0"}
_CN_NUMBER = re.compile(r"[〇零一二三四五六七八九十]+(?=\s*[年月日号])")


def _cn_number(word: str) -> str:
    """二〇二〇 → 2020 (digit by digit), 二十八 → 28, 十二 → 12, 十 → 10."""
    if "十" not in word:
        return "".join(_CN_DIGITS[c] for c in word)
    tens, _, units = word.partition("十")
    return str(
        int(_CN_DIGITS.get(tens, "1") if tens else "1") * 10
        + int(_CN_DIGITS.get(units, "0") if units else "0")
    )


def _fold_digits(text: str) -> str:
    """Full-width digits and separators to ASCII (NFKC), Chinese numerals to digits."""
    text = unicodedata.normalize("NFKC", text)
    return _CN_NUMBER.sub(lambda m: _cn_number(m.group(0)), text).replace("号", "日")


_DATE_IN_TEXT = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:[\sT]+\d{1,2}[:：时]\d{1,2}(?:[:：分]\d{1,2}(?:\.\d+)?)?\s*秒?)?"
)
_ENDS = ("废止", "失效", "截止", "有效期至", "止")


@dataclass(frozen=True)
class DateSpan:
    """What a 有效期/生效日期 cell says: from when, until when, and whether that end repeals."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    repeals: bool = False


def parse_span(value: Any) -> DateSpan:
    """`生效时间 2019-01-23 / 废止时间 2020-01-23`, `实施日期 2022年01月01日 / 失效日期
    2026年12月31日`, `2019-01-23 至 长期`, a single date, or 长期/长期有效/— (an open end).

    Two dates are a range (from, until); a single date is an end, unless the words after it
    say the span is open (至今, 长期). An end labelled 废止 repeals the record on that day.
    """
    if isinstance(value, datetime.date):
        return DateSpan(end=parse_date(value))
    text = clean_text(value)
    if not text or text in OPEN_ENDED:
        return DateSpan()
    if not text.isascii():
        text = _fold_digits(text)
    found = list(_DATE_IN_TEXT.finditer(text))
    if not found:
        if any(word in text for word in OPEN_ENDED):
            return DateSpan()
        raise ValueError(
            f"无法识别的日期:{text}(应如 2020-07-28、2020年07月28日、"
            "「生效日期 2019-01-23 / 废止日期 2020-01-23」或 长期)"
        )
    if len(found) > 2:
        raise ValueError(f"一个单元格中有 {len(found)} 个日期:{text}(最多两个:起、止)")
    dates = [parse_date(m.group(0)) for m in found]
    before_end = text[found[-2].end() if len(found) == 2 else 0 : found[-1].start()]
    repeals = "废止" in before_end
    if len(found) == 2:
        return DateSpan(start=dates[0], end=dates[1], repeals=repeals)
    after = text[found[0].end() :]
    if any(word in after for word in (*OPEN_ENDED, "至今", "起")) and not any(
        word in before_end for word in _ENDS
    ):
        return DateSpan(start=dates[0])
    return DateSpan(end=dates[0], repeals=repeals)


def _parse_iso_moment(text: str) -> datetime.datetime | None:
    try:
        return parse_datetime(text)
    except ValueError:
        return None


def parse_moment(value: Any) -> datetime.datetime | None:
    """An aware moment: ISO 8601 with offset as exported, or a local date and time."""
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    text = clean_text(value)
    if not text:
        return None
    moment = _parse_iso_moment(text)
    if moment is not None:
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(f"无法识别的时间:{text}(应如 2021-10-08 15:47)")
    try:
        day = datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
        clock = datetime.time(
            int(match["H"] or 0), int(match["M"] or 0), int(float(match["S"] or 0))
        )
    except ValueError as exc:
        raise ValueError(f"时间不存在:{text}") from exc
    return timezone.make_aware(datetime.datetime.combine(day, clock))


def parse_validity(value: Any) -> datetime.date | None:
    """有效期: 长期 / 有效 / 执行中 / empty mean open-ended (None); otherwise the last valid day."""
    text = clean_text(value)
    if not text or text in OPEN_ENDED:
        return None
    return parse_date(text)


@functools.cache
def _lookup(choices: type) -> tuple[dict[str, str], str]:
    """{code or label: code} of a TextChoices, built once: this runs for every cell."""
    table = {}
    for code, name in choices.choices:
        table[code] = table[name] = table[matching_key(name)] = code
    return table, "、".join(name for _, name in choices.choices)


def _choice(value: Any, choices: type, label: str) -> str | None:
    text = clean_text(value)
    if not text:
        return None
    table, names = _lookup(choices)
    if text in table:
        return table[text]
    key = matching_key(text)  # 主動公開, 面 向 社 会, full-width (issue 15)
    if key in table:
        return table[key]
    raise ValueError(f"{label}取值无效:{text}(可选 {names})")


def parse_period(value: Any) -> str | None:
    text = clean_text(value)
    if matching_key(text).startswith("限时公开"):
        return DisclosurePeriod.TIME_LIMITED
    return _choice(text, DisclosurePeriod, "公开时限")


def parse_method(value: Any) -> str | None:
    return _choice(value, DisclosureMethod, "公开方式")


def parse_scope(value: Any) -> str | None:
    return _choice(value, DisclosureScope, "公开范围")


def parse_status(value: Any) -> str | None:
    return _choice(value, RecordStatus, "状态")


def parse_forms(value: Any) -> list[str] | None:
    """公开形式: a list, or `网站、文件、政府公报`; None when the cell is empty."""
    if isinstance(value, list):
        parts = [clean_text(v) for v in value]
    else:
        text = clean_text(value)
        if not text:
            return None
        parts = _FORM_SEPARATORS.split(text)
    codes: list[str] = []
    for part in parts:
        if not part:
            continue
        code = _choice(part, DisclosureForm, "公开形式")
        if code not in codes:
            codes.append(code)
    return codes


def parse_keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        names: list[str] = []
        for v in value:
            name = clean_text(v)
            if name and name not in names:
                names.append(name)
        return names
    return split_keywords(clean_text(value))


def split_topic(value: Any) -> list[str]:
    """`科技、教育--教育`, `城乡建设、环境保护 / 环境`, `综合政务,文秘工作` → [parent, child]."""
    text = clean_text(value)
    if not text:
        return []
    return [part for part in _TOPIC_SEPARATORS.split(text) if part]


def split_path(value: Any) -> list[str]:
    """A breadcrumb (`首页 / 政府信息公开 / 规划计划`, `>`, `>>`, `»`) without its leading 首页."""
    text = clean_text(value)
    parts = [part for part in _PATH_SEPARATORS.split(text) if part]
    while parts and parts[0] in {"首页", "网站首页", "当前位置:首页", "当前位置：首页"}:
        parts.pop(0)
    return parts


def parse_int(value: Any, label: str) -> int | None:
    text = clean_text(value)
    if not text:
        return None
    try:
        number = int(text)
    except ValueError as exc:
        raise ValueError(f"{label}应为整数:{text}") from exc
    if number < 0:
        raise ValueError(f"{label}不能为负数:{text}")
    return number
