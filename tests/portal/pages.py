"""Reading rendered pages the way a reader sees them (text, table cells), for the portal tests."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser


class _TextExtractor(HTMLParser):
    SKIP = {"script", "style", "head"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def page_text(markup: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    parser = _TextExtractor()
    parser.feed(markup)
    return re.sub(r"\s+", " ", "".join(parser.parts))


def row_headers(markup: str) -> dict[str, str]:
    """Every <th scope="row">label</th><td>value</td> pair of the page, as text."""
    pairs = re.findall(r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>', markup, re.DOTALL)
    return {
        html.unescape(re.sub(r"<[^>]+>", "", label)).strip(): re.sub(
            r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", value))
        ).strip()
        for label, value in pairs
    }
