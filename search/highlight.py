"""Marking matched terms in titles and in a short excerpt, always from escaped plain text.

Matching is done on the normalized form of the displayed text, so a Simplified query marks the
Traditional characters a record was written in. The normalized text is kept aligned with the
original one character to one character; everything between marks is escaped.
"""

from __future__ import annotations

import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from disclosure.convert import to_simplified
from search.tokenizer import html_to_text

EXCERPT_CHARS = 120
EXCERPT_BEFORE = 30


def _aligned(text: str) -> str:
    """Normalize `text` keeping its length, so offsets in it are offsets in the original."""
    whole = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    if len(whole) == len(text):
        return whole
    out = []
    for char in text:
        mapped = to_simplified(unicodedata.normalize("NFKC", char)).lower()
        out.append(mapped if len(mapped) == 1 else char.lower())
    return "".join(out)


def _spans(normalized: str, needles: tuple[str, ...]) -> list[tuple[int, int]]:
    marked = [False] * len(normalized)
    for needle in needles:
        start = normalized.find(needle)
        while start != -1 and needle:
            for i in range(start, start + len(needle)):
                marked[i] = True
            start = normalized.find(needle, start + len(needle))
    spans, i = [], 0
    while i < len(marked):
        if marked[i]:
            j = i
            while j < len(marked) and marked[j]:
                j += 1
            spans.append((i, j))
            i = j
        else:
            i += 1
    return spans


def _render(text: str, spans: list[tuple[int, int]]) -> SafeString:
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        parts.append(escape(text[pos:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    parts.append(escape(text[pos:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def highlight(text: str, needles: tuple[str, ...]) -> SafeString:
    return _render(text, _spans(_aligned(text), needles))


def excerpt(html: str, needles: tuple[str, ...], *, fallback: str = "") -> SafeString:
    """About 120 characters of the body's text around the first match (or its start)."""
    text = html_to_text(html) or fallback
    spans = _spans(_aligned(text), needles)
    start = max(spans[0][0] - EXCERPT_BEFORE, 0) if spans else 0
    end = min(start + EXCERPT_CHARS, len(text))
    window = [
        (max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start
    ]
    body = _render(text[start:end], window)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(f"{prefix}{body}{suffix}")  # noqa: S308 - body is built from escaped parts
