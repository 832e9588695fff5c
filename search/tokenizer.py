"""The one tokenizer both backends share: CJK bigrams plus Latin/digit words, over Simplified text.

Chinese has no word spaces and the common query is two characters (教育, 疫情, 招生), so every
run of CJK characters is indexed as its overlapping bigrams (教育现代化 → 教育 育现 现代 代化),
the scheme of Lucene's CJK analyzer. A query is tokenized the same way and its bigrams must
occur at consecutive positions, so a query matches its characters in order. Text and queries
are normalized first (NFKC for full-width forms, OpenCC t2s, lower case), which makes search
script-insensitive: 教育現代化 and 教育现代化 produce the same tokens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from disclosure.convert import to_simplified

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
RUNS = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+)")
TAGS = re.compile(r"<[^>]*>")
# Every index token in one C-level pass: at each position, the bigram starting there, a lone CJK
# character, or a word starting there (`_run_tokens` below is the readable equivalent).
INDEX_TOKENS = re.compile(
    rf"(?=([{CJK}]{{2}}|(?<![{CJK}])[{CJK}](?![{CJK}])|(?<![^\W_{CJK}])[^\W_{CJK}]{{1,40}}))"
)
MAX_WORD = 40
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_TERM_TOKENS = 24


def normalize(text: str) -> str:
    return to_simplified(unicodedata.normalize("NFKC", text or "")).lower()


def html_to_text(html: str) -> str:
    """Visible text of sanitized body HTML: tags dropped (as spaces), entities decoded."""
    import html as html_lib

    return " ".join(html_lib.unescape(TAGS.sub(" ", html or "")).split())


def _run_tokens(normalized: str) -> list[tuple[str, bool]]:
    """(token, is_single_cjk_char) in text order."""
    tokens: list[tuple[str, bool]] = []
    for match in RUNS.finditer(normalized):
        run = match.group("cjk")
        if run is None:
            tokens.append((match.group("word")[:MAX_WORD], False))
        elif len(run) == 1:
            tokens.append((run, True))
        else:
            tokens.extend((run[i : i + 2], False) for i in range(len(run) - 1))
    return tokens


def index_terms(*texts: str) -> str:
    """The space-separated token string stored for the index (PostgreSQL and FTS5 alike)."""
    tokens = (" ".join(INDEX_TOKENS.findall(normalize(text))) for text in texts if text)
    return " ".join(t for t in tokens if t)


@dataclass(frozen=True)
class Term:
    """One query term: tokens that must be adjacent, in order; `prefix` marks a lone CJK char."""

    tokens: tuple[tuple[str, bool], ...]
    needles: tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def needles(self) -> tuple[str, ...]:
        """Normalized strings to mark in displayed text, longest first."""
        seen = {n for term in self.terms for n in term.needles}
        return tuple(sorted(seen, key=len, reverse=True))

    def to_tsquery(self) -> str:
        """A tsquery literal built from tokens only, so no user character reaches the parser."""
        return " & ".join(
            "(" + " <-> ".join(_ts_token(tok, prefix) for tok, prefix in term.tokens) + ")"
            for term in self.terms
        )

    def to_fts5(self, *, column: str | None = None) -> str:
        """An FTS5 MATCH expression: each term a quoted phrase (prefix only allowed at its end)."""
        phrases = []
        for term in self.terms:
            chunk: list[str] = []
            for token, prefix in term.tokens:
                chunk.append(token)
                if prefix:
                    phrases.append('"' + " ".join(chunk) + '"*')
                    chunk = []
            if chunk:
                phrases.append('"' + " ".join(chunk) + '"')
        expression = " AND ".join(phrases)
        return f"{{{column}}} : ({expression})" if column else expression


def _ts_token(token: str, prefix: bool) -> str:
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if prefix else quoted


SPLIT_TERMS = re.compile(r'"([^"]*)"|(\S+)')


def parse_query(raw: str) -> ParsedQuery:
    """Whitespace separates terms (all must match); "quoted text" is one term.

    Anything else (operators, quotes left open, emoji, punctuation) only separates tokens, so no
    input can produce an invalid backend query: an empty result is the worst outcome.
    """
    raw = (raw or "")[:MAX_QUERY_CHARS]
    normalized = normalize(raw)
    terms: list[Term] = []
    for match in SPLIT_TERMS.finditer(normalized):
        text = match.group(1) if match.group(1) is not None else match.group(2)
        tokens = tuple(_run_tokens(text))[:MAX_TERM_TOKENS]
        if not tokens:
            continue
        needles = tuple(m.group(0) for m in RUNS.finditer(text))
        term = Term(tokens=tokens, needles=needles)
        if term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return ParsedQuery(raw=raw, terms=tuple(terms))
