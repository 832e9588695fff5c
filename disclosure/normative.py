"""规章 and 行政规范性文件 (第二十条第（一）项): the records table two of the annual report counts.

The attribute is `DisclosureRecord.normative_kind`, set in the admin. Old sites' exports carry no
such column, only a 体裁 (文种) such as 规范性文件: `normative_kind_for_genre` maps it on import.
"""

from __future__ import annotations

from disclosure.choices import NormativeKind
from disclosure.convert import matching_key

#: 体裁 names that mean a normative document, as old sites spell them.
GENRE_KINDS: dict[str, str] = {
    "规章": NormativeKind.RULE,
    "政府规章": NormativeKind.RULE,
    "部门规章": NormativeKind.RULE,
    "行政规范性文件": NormativeKind.NORMATIVE,
    "规范性文件": NormativeKind.NORMATIVE,
}


def normative_kind_for_genre(genre_name: str | None) -> str:
    """`规范性文件` (or 規範性文件, full-width, spaced) → NORMATIVE; any other 体裁 → NONE.

    Matched as the importer matches every controlled value: through `matching_key`, so the
    Traditional spelling of an old site maps as the Simplified one does.
    """
    return _KINDS_BY_KEY.get(matching_key(genre_name or ""), NormativeKind.NONE)


_KINDS_BY_KEY = {matching_key(name): kind for name, kind in GENRE_KINDS.items()}
