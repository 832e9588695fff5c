"""The parts of the demo's sample site (`portal.demo_data.build_sample_site` puts them together):
records and this month's work (`records`, with their attachments from `files`), work plans
(`plans`), 依申请公开 requests (`requests`), last year's annual report (`annual_report`) and the
政府信息公开指南 (`guide`).
"""

from __future__ import annotations

from dataclasses import dataclass

from disclosure.actors import Actor

YEARS = 5
BUREAU = "无锡市教育局"


@dataclass
class SampleSite:
    """What was built, as `setup_demo` reports it."""

    records: int = 0
    attachments: int = 0
    plan_items: int = 0
    requests: int = 0
    reports: int = 0
    built: bool = False


@dataclass
class Cast:
    """The demo's three staff: one writes, another reviews (四眼原则), a third publishes."""

    author: Actor
    reviewer: Actor
    publisher: Actor
