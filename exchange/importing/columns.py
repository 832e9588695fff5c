"""Which field a column means: field names, record-page labels, and the headers old sites used."""

from __future__ import annotations

import functools
import re

from exchange.record_columns import RECORD_COLUMNS

#: Headers seen in old sites' exports, beyond the field names and the record-page labels.
ALIASES = {
    "索引号": "index_number",
    "名称": "title",
    "文件名称": "title",
    "信息名称": "title",
    "标题名称": "title",
    "成文日期": "issued_on",
    "发布日期": "publication_date",
    "文号": "document_number",
    "发文字号": "document_number",
    "发布单位": "organization",
    "发文机关": "organization",
    "分类": "category",
    "栏目": "category",
    "所属栏目": "category",
    "信息分类": "category",
    "目录/分类": "category",
    "主题分类": "topic",
    "所属主题": "topic",
    "体裁分类": "genre",
    "文种": "genre",
    "摘要": "summary",
    "内容": "body",
    "效力状态有效期": "valid_until",
    "时效": "valid_until",
    "有效性": "valid_until",
    "附件": "attachments",
    "附件名称": "attachments",
    "相关附件": "attachments",
    "信息来源": "source",
}
#: Columns the workflow alone decides: who drafted, reviewed, published or withdrew a record, when,
#: its status, version and view count. An export carries them; an import never takes them from a
#: file (a file saying 已发布 or naming another 审核人 would bypass review), and reports them.
WORKFLOW = {
    "status", "view_count", "version", "created_by", "created_at", "updated_by", "updated_at",
    "submitted_by", "submitted_at", "approved_by", "approved_at", "published_by", "published_at",
    "withdrawn_by", "withdrawn_at", "withdrawal_reason",
}  # fmt: skip
#: Columns an export carries that an import ignores (derived, or set by the import itself).
IGNORED = {"public_url", "id", *WORKFLOW}
REQUIRED = ("title", "organization")

_by_header: dict[str, str] = {}
for column in RECORD_COLUMNS:
    _by_header[column.name] = column.name
    _by_header[column.label] = column.name
_by_header.update(ALIASES)
LABELS = {column.name: column.label for column in RECORD_COLUMNS}

_NOISE = re.compile(r"[\s:：*＊\ufeff]")


@functools.lru_cache(maxsize=1024)
def field_for(header: str) -> str | None:
    """`信息索引号`, `信息索引号:`, `index_number`, ` *标题 ` → the field name; None if unknown."""
    key = _NOISE.sub("", str(header or ""))
    return _by_header.get(key) or _by_header.get(key.lower())


def label(field: str) -> str:
    return LABELS.get(field, field)
