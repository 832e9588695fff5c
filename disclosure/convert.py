"""The one adapter between the portal and OpenCC (Simplified ↔ Traditional Chinese).

One converter per configuration, built once per process: building one loads its dictionaries,
which costs far more than converting a page. Either the official binding (`opencc`, C++) or
`opencc-python-reimplemented` provides the `opencc` module; both expose
`opencc.OpenCC(config).convert(text)`, and `active_backend()` says which one is installed.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from importlib import metadata
from typing import Protocol

import opencc

SUPPORTED_CONFIGS = ("s2t", "s2tw", "s2hk", "t2s", "tw2s", "hk2s", "s2twp", "tw2sp")
# The Traditional variants readers expect: Taiwan-standard (the default 繁体版) and Hong Kong
# character forms. Characters only: the `…p` configurations also swap vocabulary (软件 → 軟體),
# which would change official terms.
TAIWAN = "s2tw"
HONG_KONG = "s2hk"
_lock = threading.Lock()


class Converter(Protocol):
    def convert(self, text: str) -> str: ...


@functools.cache
def active_backend() -> str:
    """Which distribution provides `opencc`: the official binding or the reimplementation."""
    for dist, label in (("opencc-python-reimplemented", "reimplemented"), ("opencc", "official")):
        try:
            return f"{label} {metadata.version(dist)}"
        except metadata.PackageNotFoundError:
            continue
    return "unknown"


@functools.cache
def converter(config: str) -> Converter:
    if config not in SUPPORTED_CONFIGS:
        raise ValueError(f"unsupported OpenCC configuration: {config!r}")
    with _lock:
        try:
            return opencc.OpenCC(config)
        except Exception:  # the reimplementation and older bindings want the .json name
            return opencc.OpenCC(f"{config}.json")


def convert(text: str, config: str = "s2t") -> str:
    if not text:
        return text
    return converter(config).convert(text)


def to_traditional(text: str, config: str = TAIWAN) -> str:
    return convert(text, config)


def to_simplified(text: str) -> str:
    """Normalize any script to Simplified (used for search indexing and queries).

    tw2s then hk2s: each folds its region's variant forms (著裝, 大衞) before t2s, which alone
    leaves some of them, so text read on the Taiwan or the Hong Kong pages finds the record.
    """
    return convert(convert(text, "tw2s"), "hk2s")


# HTML-aware conversion: a whole rendered page, converted without touching its markup.
# Text nodes and the attributes a reader sees or hears are converted; tags, URLs, scripts,
# styles, comments, the values a form submits and `<!--noconvert-->…<!--/noconvert-->` (the
# 简体版 link) are not. Entities are ASCII and OpenCC only maps Han characters, so
# `&lt;script&gt;` stays escaped by construction.
_SKIPPED_BLOCK = re.compile(
    r"<!--noconvert-->.*?<!--/noconvert-->|<!--.*?-->|<(script|style|textarea)\b[^>]*>.*?</\1\s*>|<[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
_VISIBLE_ATTRIBUTE = re.compile(
    r"""(\s(?:title|alt|aria-label|aria-description|placeholder|summary|label)\s*=\s*)"""
    r"""("[^"]*"|'[^']*')""",
    re.IGNORECASE,
)
_META_CONTENT = re.compile(r"""(\scontent\s*=\s*)("[^"]*"|'[^']*')""", re.IGNORECASE)
_META_READABLE = re.compile(
    r"""\s(?:name|property)\s*=\s*["']?(?:description|keywords|og:title|og:description)""",
    re.IGNORECASE,
)
_HAN = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def _convert_tag(tag: str, config: str) -> str:
    if not _HAN.search(tag) or tag.startswith(("</", "<!")):
        return tag

    def attribute(match: re.Match) -> str:
        return match.group(1) + _convert_text(match.group(2), config)

    tag = _VISIBLE_ATTRIBUTE.sub(attribute, tag)
    if tag[:5].lower() == "<meta" and _META_READABLE.search(tag):
        tag = _META_CONTENT.sub(attribute, tag)
    return tag


#: Text nodes up to this long are converted through `_convert_short`: the header, footer,
#: navigation, breadcrumb and table labels are the same on every page (about 80 of a record
#: page's 90 text nodes), and each OpenCC call costs about as much as a short string's work.
SHORT_TEXT = 80


@functools.lru_cache(maxsize=8192)
def _convert_short(text: str, config: str) -> str:
    """A page's repeated short texts, converted once per process (conversion is a pure function
    of the text and the configuration, so a remembered result can never be stale)."""
    return convert(text, config)


def _convert_text(text: str, config: str) -> str:
    if not _HAN.search(text):
        return text
    return _convert_short(text, config) if len(text) <= SHORT_TEXT else convert(text, config)


def convert_html(markup: str, config: str = "s2t") -> str:
    """Convert the text a reader sees in an HTML (or Atom/XML) document, never its markup."""
    out: list[str] = []
    position = 0
    for match in _SKIPPED_BLOCK.finditer(markup):
        out.append(_convert_text(markup[position : match.start()], config))
        token = match.group(0)
        out.append(_convert_tag(token, config) if match.group(1) is None else token)
        position = match.end()
    out.append(_convert_text(markup[position:], config))
    return "".join(out)


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=65536)
def matching_key(text: str) -> str:
    """The form two spellings of one controlled value share: 宜興市 and 宜兴市, `ＡＢ　1` and `AB1`.

    NFKC folds full-width letters, digits and punctuation to half-width; whitespace is dropped
    (old sites pad names with ideographic spaces); the script is folded to Simplified, as the
    search index does. Cached: an import asks for the same few hundred names on every row.
    """
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))
    return to_simplified(folded).lower() if _HAN.search(folded) else folded.lower()
