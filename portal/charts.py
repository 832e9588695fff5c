"""Server-rendered SVG charts: readable without JavaScript, in either script, by screen readers.

The chart is an image (`role="img"`) named by its <title> and described by its <desc>; the
numbers themselves are always in the HTML table the template puts beside it, so nothing is
only in the picture. Colours are the Okabe–Ito palette, distinguishable with colour-blindness,
and every segment carries its count as a tooltip <title>.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from plans.choices import PlanItemStatus
from plans.selectors import StatusCounts

STATUS_COLOURS = {
    PlanItemStatus.PLANNED: "#0072B2",
    PlanItemStatus.IN_PROGRESS: "#E69F00",
    PlanItemStatus.DONE: "#009E73",
    PlanItemStatus.NOT_DONE: "#D55E00",
    PlanItemStatus.CANCELLED: "#999999",
}
WIDTH = 680
LABEL_WIDTH = 220
BAR_WIDTH = 380
ROW_HEIGHT = 30
LEGEND_HEIGHT = 34
LABEL_CHARS = 14


def short_label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def status_chart(*, chart_id: str, title: str, rows: Sequence[StatusCounts]) -> SafeString:
    """Stacked bars, one per row (plan section or organization), scaled to the largest total."""
    largest = max((row.total for row in rows), default=0) or 1
    height = LEGEND_HEIGHT + ROW_HEIGHT * max(len(rows), 1) + 10
    description = ";".join(
        f"{row.label}:共{row.total}项,"
        + ",".join(f"{label}{count}项" for _, label, count in row.rows() if count)
        for row in rows
    )
    parts: list[SafeString] = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="plan-chart" role="img" '
            'viewBox="0 0 {} {}" width="100%" aria-labelledby="{}-title {}-desc">'
            '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
            WIDTH,
            height,
            chart_id,
            chart_id,
            chart_id,
            title,
            chart_id,
            description or "暂无事项",
        ),
        _legend(),
    ]
    for index, row in enumerate(rows):
        y = LEGEND_HEIGHT + index * ROW_HEIGHT
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="13" fill="#222">{}</text>',
                LABEL_WIDTH - 8,
                y + 19,
                short_label(row.label),
            )
        )
        x = LABEL_WIDTH
        for value, label, count in row.rows():
            if not count:
                continue
            width = round(BAR_WIDTH * count / largest, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="20" fill="{}">'
                    "<title>{}:{}项</title></rect>",
                    x,
                    y + 5,
                    width,
                    STATUS_COLOURS[value],
                    label,
                    count,
                )
            )
            x += width
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" fill="#222">{}项</text>',
                x + 6,
                y + 19,
                row.total,
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant closing tag
    return mark_safe("".join(parts))  # noqa: S308 - every part above is format_html-escaped


def _legend() -> SafeString:
    return format_html_join(
        "",
        '<rect x="{}" y="6" width="14" height="14" fill="{}"/>'
        '<text x="{}" y="18" font-size="13" fill="#222">{}</text>',
        (
            (LABEL_WIDTH + i * 88, STATUS_COLOURS[value], LABEL_WIDTH + i * 88 + 18, label)
            for i, (value, label) in enumerate(PlanItemStatus.choices)
        ),
    )
