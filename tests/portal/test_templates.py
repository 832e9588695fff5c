"""Templates carry no inline script, event handlers or style attributes (a strict CSP later)."""

import re

from django.conf import settings

TEMPLATE_DIR = settings.BASE_DIR / "templates"
FORBIDDEN = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event-handler attribute"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style= attribute"),
    (re.compile(r"<style\b", re.IGNORECASE), "<style> block"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def test_no_template_has_inline_script_handlers_or_styles():
    offences = []
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, what in FORBIDDEN:
            offences += [f"{path.relative_to(TEMPLATE_DIR)}: {what}" for _ in pattern.findall(text)]
    assert not offences, "\n".join(offences)


def test_the_check_would_catch_an_offence():
    sample = '<a onclick="x()" style="color:red">x</a><script>alert(1)</script>'
    assert all(pattern.search(sample) for pattern, _ in FORBIDDEN[:3])
