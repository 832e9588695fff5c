"""Reads for the public plan tracker. Every plan, follow-up and evidence link shown starts from
`public_records`, so a plan item never links the public to a draft or withdrawn record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.db.models.functions import ExtractYear

from disclosure.models import Organization
from disclosure.selectors import public_records
from plans.choices import PlanItemStatus
from plans.models import PlanItem, PlanProgressNote, PlanSection, WorkPlan


@dataclass
class StatusCounts:
    """Counts by status in the order of PlanItemStatus (计划中, 推进中, 已完成, 未完成, 取消)."""

    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PlanItemStatus.values, 0))
    url: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done_percent(self) -> int:
        return round(100 * self.counts[PlanItemStatus.DONE] / self.total) if self.total else 0

    def rows(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.counts[value]) for value, label in PlanItemStatus.choices]


def public_plans(*, now: datetime.datetime | None = None) -> QuerySet[WorkPlan]:
    return WorkPlan.objects.filter(record__in=public_records(now=now)).select_related(
        "record__organization"
    )


def plan_years(*, now: datetime.datetime | None = None) -> list[int]:
    years = public_plans(now=now).annotate(year=ExtractYear("record__issued_on"))
    return sorted(set(years.values_list("year", flat=True)), reverse=True)


def plan_organizations(*, now: datetime.datetime | None = None) -> QuerySet[Organization]:
    """Organizations with at least one public plan (the tracker's 单位 filter)."""
    return Organization.objects.filter(
        pk__in=public_plans(now=now).values("record__organization")
    ).order_by("ordering", "name")


def plan_index(
    *,
    year: int | None = None,
    organization_id: int | None = None,
    status: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[list[WorkPlan], list[StatusCounts]]:
    """Public plans (newest first), each with `.summary` counts, and counts per organization.

    With a status filter only plans holding such items are listed and only those items counted.
    """
    plans = public_plans(now=now).order_by(
        "record__organization__ordering", "-record__issued_on", "-record_id"
    )
    if year:
        plans = plans.filter(record__issued_on__year=year)
    if organization_id:
        plans = plans.filter(record__organization_id=organization_id)
    items = PlanItem.objects.filter(section__plan__in=plans)
    if status:
        items = items.filter(status=status)
        plans = plans.filter(sections__items__status=status).distinct()
    per_plan: dict[int, StatusCounts] = {}
    per_org: dict[str, StatusCounts] = {}
    rows = items.values(
        "section__plan_id", "section__plan__record__organization__name", "status"
    ).annotate(n=Count("id"))
    for row in rows:
        plan_id, org, value = (
            row["section__plan_id"],
            row["section__plan__record__organization__name"],
            row["status"],
        )
        per_plan.setdefault(plan_id, StatusCounts(label=""))
        per_plan[plan_id].counts[value] += row["n"]
        per_org.setdefault(org, StatusCounts(label=org)).counts[value] += row["n"]
    listed = list(plans)
    for plan in listed:
        plan.summary = per_plan.get(plan.pk, StatusCounts(label=""))
        plan.summary.label = plan.record.title
        plan.summary.url = plan.get_absolute_url()
    order = {p.record.organization.name: i for i, p in reversed(list(enumerate(listed)))}
    organizations = sorted(per_org.values(), key=lambda c: order.get(c.label, 0))
    return listed, organizations


def public_plan_detail(
    *, record_pk: int, status: str | None = None, now: datetime.datetime | None = None
) -> WorkPlan:
    """The public record's plan with its sections, items, notes and public links only.

    Sets `item.public_follow_up` and `item.public_reported_by` to the linked items whose
    documents the public may see. Raises WorkPlan.DoesNotExist otherwise.
    """
    visible = public_records(now=now)
    items = PlanItem.objects.select_related(
        "responsible", "follow_up__section__plan__record", "section"
    ).prefetch_related(
        Prefetch("progress_notes", queryset=PlanProgressNote.objects.order_by("noted_on", "id")),
        Prefetch("evidence", queryset=visible.order_by("-issued_on")),
        Prefetch(
            "reported_by",
            queryset=PlanItem.objects.select_related("section__plan__record"),
        ),
    )
    if status:
        items = items.filter(status=status)
    plan = (
        public_plans(now=now)
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=PlanSection.objects.order_by("ordinal").prefetch_related(
                    Prefetch("items", queryset=items.order_by("ordinal"))
                ),
            )
        )
        .get(record_id=record_pk)
    )
    all_items = [item for section in plan.sections.all() for item in section.items.all()]
    linked_records = {
        i.follow_up.section.plan.record_id for i in all_items if i.follow_up_id and i.follow_up
    }
    linked_records |= {r.section.plan.record_id for i in all_items for r in i.reported_by.all()}
    public_ids = set(visible.filter(pk__in=linked_records).values_list("pk", flat=True))
    for item in all_items:
        follow_up = item.follow_up
        item.public_follow_up = (
            follow_up if follow_up and follow_up.section.plan.record_id in public_ids else None
        )
        item.public_reported_by = [
            r for r in item.reported_by.all() if r.section.plan.record_id in public_ids
        ]
    plan.summary = StatusCounts(label="合计", url=plan.get_absolute_url())
    headings = {section.pk: section.heading for section in plan.sections.all()}
    plan.section_summaries = {pk: StatusCounts(label=h) for pk, h in headings.items()}
    counts = PlanItem.objects.filter(section__plan=plan).values("section_id", "status")
    for row in counts.annotate(n=Count("id")):
        plan.section_summaries[row["section_id"]].counts[row["status"]] += row["n"]
        plan.summary.counts[row["status"]] += row["n"]
    plan.section_summaries = list(plan.section_summaries.values())
    return plan
