"""The one specification of a records export row, from which every writer is made.

Each `RecordColumn` says what a column holds (`field` of DisclosureRecord, read as `via` says:
the value itself, a choice's label, a vocabulary's name, a list) and how its cell is spelled
(`kind`). From this list:

- `exchange.record_rows` builds the Python rows (JSON Lines, and CSV/XLSX where COPY is not
  available) and reads each chunk with one `values_list` of exactly the fields named here;
- `exchange.csv_by_copy` builds the SELECT that PostgreSQL formats itself for COPY;
- `exchange.importing` takes its column names and headers.

So adding a column is one line here (tests/exchange/test_csv_by_copy.py checks that the two
writers agree byte for byte). The public link is the record page's URL (`reverse`) for a record
the public may see now (`disclosure.selectors.public_records`), and empty otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models

from disclosure.choices import (
    DisclosureForm,
    DisclosureMethod,
    DisclosurePeriod,
    DisclosureScope,
    RecordStatus,
)


@dataclass(frozen=True)
class Column:
    name: str
    label: str


class Kind(enum.Enum):
    """How a cell is spelled as spreadsheet text."""

    TEXT = "text"  # neutralized against formulas
    DATE = "date"  # ISO 8601
    MOMENT = "moment"  # ISO 8601 in the current time zone
    NUMBER = "number"
    LIST = "list"  # joined by the column's separator, then neutralized


@dataclass(frozen=True)
class Choice:
    """The label of a choice (the stored code when it is not one)."""

    choices: type[models.TextChoices]


@dataclass(frozen=True)
class ChoiceList:
    """A JSON list of choice codes, as their labels."""

    choices: type[models.TextChoices]


@dataclass(frozen=True)
class Vocabulary:
    """The name of the row a foreign key points to, from a small vocabulary loaded once:
    organizations, users, topics (parent--child), genres, categories (their path) or the
    index numbers of records."""

    name: str


@dataclass(frozen=True)
class Related:
    """The names of the record's keywords or attachments, in their order."""

    name: str


@dataclass(frozen=True)
class PublicLink:
    """The record page's address if the public may see the record now, else empty."""


Via = Choice | ChoiceList | Vocabulary | Related | PublicLink | None


@dataclass(frozen=True)
class RecordColumn(Column):
    field: str = ""  # the DisclosureRecord field read (attname); "" means `name`
    kind: Kind = Kind.TEXT
    via: Via = None
    separator: str = "、"  # of a LIST
    if_empty: str = ""  # the text of a missing value (a DATE without one: 长期)

    @property
    def source(self) -> str:
        return self.field or self.name


def _text(name: str, label: str, **spec) -> RecordColumn:
    return RecordColumn(name, label, **spec)


def _date(name: str, label: str, **spec) -> RecordColumn:
    return RecordColumn(name, label, kind=Kind.DATE, **spec)


def _actor(step: str, actor_label: str, moment_label: str) -> list[RecordColumn]:
    """Who did a workflow step and when (编制人/创建时间, …, 撤回人/撤回时间)."""
    return [
        _text(f"{step}_by", actor_label, field=f"{step}_by_id", via=Vocabulary("users")),
        RecordColumn(f"{step}_at", moment_label, kind=Kind.MOMENT),
    ]


#: Every field of the record page, then status, workflow moments and actors, URL, attachments.
RECORD_COLUMNS: list[RecordColumn] = [
    _text("index_number", "信息索引号"),
    _text("title", "标题"),
    _date("issued_on", "发文日期"),
    _date("publication_date", "公开日期"),
    _text("document_number", "文件编号"),
    _text("disclosure_period", "公开时限", via=Choice(DisclosurePeriod)),
    _date("disclosure_until", "公开截止日期"),
    _text("organization", "发布机构", field="organization_id", via=Vocabulary("organizations")),
    _text("department", "责任部门", field="department_id", via=Vocabulary("organizations")),
    RecordColumn("disclosure_forms", "公开形式", kind=Kind.LIST, via=ChoiceList(DisclosureForm)),
    _text("disclosure_method", "公开方式", via=Choice(DisclosureMethod)),
    _text("non_disclosure_reason", "不予公开理由"),
    _text("disclosure_scope", "公开范围", via=Choice(DisclosureScope)),
    _date("effective_on", "生效日期"),
    _date("valid_until", "有效期", if_empty="长期"),
    _date("repealed_on", "废止日期"),
    _text("repealed_by", "废止依据文件", field="repealed_by_id", via=Vocabulary("index_numbers")),
    _text("procedure", "公开程序"),
    _text("topic", "主题", field="topic_id", via=Vocabulary("topics")),
    _text("genre", "体裁", field="genre_id", via=Vocabulary("genres")),
    RecordColumn(
        "keywords", "关键词", field="id", kind=Kind.LIST, via=Related("keywords"), separator=","
    ),  # fmt: skip
    _text("summary", "内容概述"),
    _text("body", "正文"),
    _text("source", "来源"),
    _text("category", "目录", field="category_id", via=Vocabulary("categories")),
    _text("status", "状态", via=Choice(RecordStatus)),
    RecordColumn("view_count", "浏览次数", kind=Kind.NUMBER),
    RecordColumn("version", "版本号", kind=Kind.NUMBER),
    *_actor("created", "编制人", "创建时间"),
    *_actor("updated", "最后修改人", "更新时间"),
    *_actor("submitted", "提交人", "提交时间"),
    *_actor("approved", "审核人", "审核时间"),
    *_actor("published", "发布人", "发布时间"),
    *_actor("withdrawn", "撤回人", "撤回时间"),
    _text("withdrawal_reason", "撤回理由"),
    _text("public_url", "公开地址", field="id", via=PublicLink()),
    RecordColumn("attachments", "文件下载", field="id", kind=Kind.LIST, via=Related("attachments")),
]

#: The fields one chunk reads (`values_list`), the id first.
RECORD_VALUE_FIELDS: list[str] = list(dict.fromkeys(["id", *(c.source for c in RECORD_COLUMNS)]))

#: Separators of list cells, by column name.
LIST_SEPARATORS = {c.name: c.separator for c in RECORD_COLUMNS if c.kind is Kind.LIST}
