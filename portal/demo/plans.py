"""A work plan per year, split into items through the plans service; older years' items are
settled, this year's are under way."""

from __future__ import annotations

import datetime
import random

from disclosure.choices import DisclosurePeriod
from disclosure.generator import SENTENCES
from plans.choices import PlanItemStatus
from plans.models import PlanItem
from plans.services import change_item_status, split_plan
from portal.demo import YEARS, Cast, SampleSite
from portal.demo.records import backdate, draft, publish, record_fields, vocabulary

PLAN_HEADINGS = [
    "深化教育综合改革",
    "推进义务教育优质均衡",
    "加快学前教育普惠发展",
    "提升职业教育办学水平",
    "加强教师队伍建设",
    "筑牢校园安全防线",
    "推进教育数字化转型",
]


def _plan_body(year: int, rng: random.Random) -> str:
    headings = rng.sample(PLAN_HEADINGS, k=5)
    items = "".join(
        f"<p>（{'一二三四五'[i]}）{heading}。{''.join(rng.sample(SENTENCES, k=2))}</p>"
        for i, heading in enumerate(headings)
    )
    return f"<p>一、{year}年工作要点</p>{items}"


def add_plans(rng: random.Random, cast: Cast, today: datetime.date, summary: SampleSite) -> None:
    """A work plan per year; older years' items are settled, this year's are under way."""
    vocab = vocabulary()
    statuses_by_age = {
        0: [PlanItemStatus.PLANNED, PlanItemStatus.IN_PROGRESS, PlanItemStatus.IN_PROGRESS,
            PlanItemStatus.DONE, PlanItemStatus.PLANNED],
        1: [PlanItemStatus.DONE, PlanItemStatus.DONE, PlanItemStatus.IN_PROGRESS,
            PlanItemStatus.NOT_DONE, PlanItemStatus.CANCELLED],
    }  # fmt: skip
    for age in range(YEARS):
        year = today.year - age
        issued = max(datetime.date(year, 2, 20), today - datetime.timedelta(days=365 * YEARS))
        issued = min(issued, today)
        fields, keywords = record_fields(rng, vocab, issued, today)
        fields.update(
            title=f"{year}年全市教育工作要点",
            genre=vocab["genres"]["计划"],
            category=vocab["categories"]["plans"],
            body=_plan_body(year, rng),
            valid_until=None,
            disclosure_period=DisclosurePeriod.LONG_TERM,
            disclosure_until=None,
        )
        record = publish(cast, draft(cast, fields, [*keywords, "计划"]))
        backdate([record])
        summary.records += 1
        split_plan(record=record, actor=cast.author)
        items = list(
            PlanItem.objects.filter(section__plan__record=record).order_by("section", "ordinal")
        )
        statuses = statuses_by_age.get(age) or [PlanItemStatus.DONE] * 4 + [PlanItemStatus.NOT_DONE]
        for item, status, department in zip(
            items, statuses, vocab["departments"] * 2, strict=False
        ):
            PlanItem.objects.filter(pk=item.pk).update(
                responsible=department, due_on=datetime.date(year, rng.choice([6, 9, 12]), 30)
            )
            note = "" if status == PlanItemStatus.PLANNED else f"{year}年按计划推进,已报送进展。"
            if status != item.status:
                change_item_status(item=item, status=status, actor=cast.author, note=note)
            summary.plan_items += 1
