"""Writes on work plans: splitting a record into items, tracking their progress, linking them.

Every action runs in one transaction and leaves an audit entry, so a citizen's question "who
marked this promise as done, and when" always has an answer.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from disclosure.actors import Actor
from disclosure.audit import record_event
from disclosure.convert import to_simplified
from disclosure.models import AuditAction, DisclosureRecord
from disclosure.roles import can_access_record, scope_records
from disclosure.selectors import public_records
from plans.choices import PlanItemStatus, PlanSectionKind
from plans.models import PlanItem, PlanProgressNote, PlanSection, WorkPlan
from plans.parser import ParsedPlan, ParsedSection, parse_plan

SUGGESTION_MIN_SCORE = 0.12
SUGGESTION_CANDIDATE_LIMIT = 3000


class PlanError(ValueError):
    """A refused plan action; the message tells staff what to change."""


@dataclass(frozen=True)
class SplitResult:
    plan: WorkPlan
    created: int
    updated: int
    removed: int


@dataclass(frozen=True)
class Suggestion:
    item: PlanItem
    score: float


#: Whoever edits plan items may split a record into them (the roles with `_PLAN_ITEM_EDIT`).
SPLIT_PERMISSION = "plans.change_planitem"


def may_split_plans(*, user: Actor, record: DisclosureRecord | None = None) -> bool:
    """The roles that edit plan items split records into them, within their organization scope
    (buttons and pages ask this; `split_plan` asks it again)."""
    if user is None or not user.is_active or not user.has_perm(SPLIT_PERMISSION):
        return False
    return record is None or can_access_record(user, record)


@transaction.atomic
def split_plan(
    *, record: DisclosureRecord, actor: Actor | None, parsed: ParsedPlan | None = None
) -> SplitResult:
    """Save the record's sections and items, updating in place by section and item number.

    Re-running never duplicates: an item keeps its row (and so its status, notes, links and
    evidence) as long as its position stays; positions that disappeared are removed. An item
    staff leave out keeps its number free rather than shifting the later items onto rows
    whose progress belongs to someone else.
    `parsed` is the proposal as staff edited it; by default the record body is parsed afresh.
    `actor=None` is the system (demo data, tests); a person must be allowed to split the record.
    """
    if actor is not None and not may_split_plans(user=actor, record=record):
        raise PlanError(f"您没有拆分「{record.title}」为计划事项的权限。")
    DisclosureRecord.objects.select_for_update().filter(pk=record.pk).first()
    parsed = parsed if parsed is not None else parse_plan(record.body)
    plan, _ = WorkPlan.objects.get_or_create(record=record)
    sections = {s.ordinal: s for s in plan.sections.all()}
    tallies = [_save_section(plan, s, sections.get(s.ordinal)) for s in parsed.sections]
    created, updated, removed = (sum(tally[i] for tally in tallies) for i in range(3))
    stale_sections = plan.sections.exclude(ordinal__in=[s.ordinal for s in parsed.sections])
    removed += PlanItem.objects.filter(section__in=stale_sections).count()
    stale_sections.delete()
    plan.parser_flags = [asdict(anomaly) for anomaly in parsed.anomalies]
    plan.split_at = timezone.now()
    plan.save(update_fields=["parser_flags", "split_at", "updated_at"])
    record_event(
        action=AuditAction.EDIT,
        actor=actor,
        obj=plan,
        details={
            "operation": "split_plan",
            "record": record.pk,
            "sections": len(parsed.sections),
            "items": parsed.item_count,
            "created": created,
            "updated": updated,
            "removed": removed,
            "anomalies": [anomaly.code for anomaly in parsed.anomalies],
        },
    )
    return SplitResult(plan=plan, created=created, updated=updated, removed=removed)


def _save_section(
    plan: WorkPlan, parsed_section: ParsedSection, section: PlanSection | None
) -> tuple[int, int, int]:
    """One section of `split_plan` and its items, in place by number: (created, updated,
    removed) items."""
    created = updated = 0
    values: dict[str, Any] = {"heading": parsed_section.heading[:200], "kind": parsed_section.kind}
    if section is None:
        section = PlanSection.objects.create(plan=plan, ordinal=parsed_section.ordinal, **values)
    elif any(getattr(section, k) != v for k, v in values.items()):
        PlanSection.objects.filter(pk=section.pk).update(**values)
    items = {i.ordinal: i for i in section.items.all()}
    for parsed_item in parsed_section.items:
        item = items.get(parsed_item.ordinal)
        values = {"heading": parsed_item.heading[:300], "text": parsed_item.text}
        if item is None:
            PlanItem.objects.create(section=section, ordinal=parsed_item.ordinal, **values)
            created += 1
        elif any(getattr(item, k) != v for k, v in values.items()):
            PlanItem.objects.filter(pk=item.pk).update(**values)
            updated += 1
    stale = section.items.exclude(ordinal__in=[i.ordinal for i in parsed_section.items])
    removed = stale.count()
    stale.delete()
    return created, updated, removed


#: The fields of an item staff edit directly (status, notes and links have their own actions).
ITEM_FIELDS = ("heading", "text", "responsible_id", "due_on")


@transaction.atomic
def update_item(*, item: PlanItem, actor: Actor | None, **values: Any) -> PlanItem:
    """Edit an item's 事项标题, 内容, 责任单位 or 完成时限, audited with what changed.

    `values` are among ITEM_FIELDS (`responsible_id` for the organization); nothing changed,
    nothing written.
    """
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise PlanError(f"不能在此修改:{', '.join(sorted(unknown))}")
    if "heading" in values and not str(values["heading"] or "").strip():
        raise PlanError("事项标题不能为空。")
    locked = PlanItem.objects.select_for_update().get(pk=item.pk)
    changed = {k: v for k, v in values.items() if getattr(locked, k) != v}
    if not changed:
        return locked
    before = {k: _audit_value(getattr(locked, k)) for k in changed}
    for name, value in changed.items():
        setattr(locked, name, value)
    locked.save(update_fields=[k.removesuffix("_id") for k in changed])
    record_event(
        action=AuditAction.EDIT,
        actor=actor,
        obj=locked,
        details={
            "operation": "update_item",
            "fields": sorted(k.removesuffix("_id") for k in changed),
            "before": before,
            "after": {k: _audit_value(v) for k, v in changed.items()},
        },
    )
    return locked


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


@transaction.atomic
def change_item_status(
    *,
    item: PlanItem,
    status: str,
    actor: Actor | None,
    note: str = "",
    noted_on: datetime.date | None = None,
) -> PlanItem:
    """Set an item's 进展; audited like any other change. A note becomes a progress note."""
    if status not in PlanItemStatus.values:
        raise PlanError(f"进展取值无效:{status}")
    locked = PlanItem.objects.select_for_update().get(pk=item.pk)
    previous = locked.status
    if previous == status and not note.strip():
        return locked
    locked.status = status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at"])
    if note.strip():
        PlanProgressNote.objects.create(
            item=locked,
            noted_on=noted_on or timezone.localdate(),
            text=note.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    record_event(
        action=AuditAction.STATUS_CHANGE,
        actor=actor,
        obj=locked,
        reason=note.strip(),
        details={
            "from": previous,
            "to": status,
            "plan": locked.section.plan_id,
            "section": locked.section.ordinal,
            "ordinal": locked.ordinal,
        },
    )
    item.status, item.status_changed_at = locked.status, locked.status_changed_at
    return locked


@transaction.atomic
def add_progress_note(
    *,
    item: PlanItem,
    text: str,
    actor: Actor | None,
    noted_on: datetime.date | None = None,
) -> PlanProgressNote:
    if not text.strip():
        raise PlanError("进展情况不能为空。")
    note = PlanProgressNote.objects.create(
        item=item,
        noted_on=noted_on or timezone.localdate(),
        text=text.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record_event(
        action=AuditAction.EDIT,
        actor=actor,
        obj=item,
        details={"operation": "add_progress_note", "note": note.pk, "noted_on": str(note.noted_on)},
    )
    return note


def linkable_records(*, user: Any) -> QuerySet[DisclosureRecord]:
    """The records a plan item may cite (as evidence, or through a follow-up item): those of
    the user's organizations and public ones. Another bureau's draft is neither, and its title
    must not reach this editor's form, nor, through the link, anybody else's page."""
    records = DisclosureRecord.objects.all()
    if user is None:  # system tasks
        return records
    own = scope_records(user, records).values("pk")
    return records.filter(Q(pk__in=own) | Q(pk__in=public_records().values("pk")))


def linkable_follow_ups(*, user: Any) -> QuerySet[PlanItem]:
    """Plan items of the records in `linkable_records`."""
    if user is None:
        return PlanItem.objects.all()
    return PlanItem.objects.filter(section__plan__record__in=linkable_records(user=user))


def follow_up_problem(
    *, item: PlanItem, follow_up: PlanItem | None, actor: Any = None
) -> str | None:
    """Why `follow_up` cannot report on `item`, or None: it must be a later document's item,
    of a document the actor may see or the public may."""
    if follow_up is None:
        return None
    if actor is not None and not linkable_follow_ups(user=actor).filter(pk=follow_up.pk).exists():
        return "后续报告事项须来自您所在机构的文件或已公开的文件。"
    if follow_up.pk == item.pk:
        return "事项不能作为自己的后续报告。"
    if follow_up.section.plan_id == item.section.plan_id:
        return "后续报告事项须来自另一份总结或计划。"
    if follow_up.section.plan.record.issued_on < item.section.plan.record.issued_on:
        return "后续报告须是发文日期不早于本计划的文件中的事项。"
    return None


@transaction.atomic
def link_follow_up(*, item: PlanItem, follow_up: PlanItem | None, actor: Actor | None) -> PlanItem:
    """Point a plan item at the item of a later summary that reports on it (None unlinks)."""
    problem = follow_up_problem(item=item, follow_up=follow_up, actor=actor)
    if problem:
        raise PlanError(problem)
    previous = item.follow_up_id
    item.follow_up = follow_up
    item.save(update_fields=["follow_up"])
    record_event(
        action=AuditAction.EDIT,
        actor=actor,
        obj=item,
        details={
            "operation": "link_follow_up",
            "from": previous,
            "to": follow_up.pk if follow_up else None,
        },
    )
    return item


@transaction.atomic
def add_evidence(*, item: PlanItem, record: DisclosureRecord, actor: Actor | None) -> PlanItem:
    """Link a disclosure record that shows the item was carried out (佐证材料)."""
    if record.pk == item.section.plan.record_id:
        raise PlanError("佐证材料须是另一条公开信息。")
    if actor is not None and not linkable_records(user=actor).filter(pk=record.pk).exists():
        raise PlanError("佐证材料须是您所在机构的或已公开的信息。")
    item.evidence.add(record)
    record_event(
        action=AuditAction.EDIT,
        actor=actor,
        obj=item,
        details={"operation": "add_evidence", "record": record.pk},
    )
    return item


@transaction.atomic
def remove_evidence(*, item: PlanItem, record: DisclosureRecord, actor: Actor | None) -> PlanItem:
    item.evidence.remove(record)
    record_event(
        action=AuditAction.EDIT,
        actor=actor,
        obj=item,
        details={"operation": "remove_evidence", "record": record.pk},
    )
    return item


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Simplified text without punctuation: script-independent."""
    letters = re.sub(r"[\W_]+", "", to_simplified(text or ""))
    return {letters[i : i + 2] for i in range(len(letters) - 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def suggest_follow_ups(*, item: PlanItem, user: Any = None, limit: int = 5) -> list[Suggestion]:
    """Summary items of later documents that probably report on `item`, best first.

    Headings weigh most (a summary usually echoes the plan's wording, 推动高教职教重点突破 →
    高教职教实现重点突破); the text breaks ties between items with similar headings.
    """
    record = item.section.plan.record
    candidates = (
        linkable_follow_ups(user=user)
        .filter(
            section__kind=PlanSectionKind.SUMMARY,
            section__plan__record__issued_on__gte=record.issued_on,
        )
        .exclude(section__plan_id=item.section.plan_id)
        .select_related("section__plan__record")
        .order_by("section__plan__record__issued_on", "id")[:SUGGESTION_CANDIDATE_LIMIT]
    )
    heading, text = bigrams(item.heading), bigrams(item.text[:600])
    scored = []
    for candidate in candidates:
        score = 0.7 * jaccard(heading, bigrams(candidate.heading)) + 0.3 * jaccard(
            text, bigrams(candidate.text[:600])
        )
        if score >= SUGGESTION_MIN_SCORE:
            scored.append(Suggestion(item=candidate, score=round(score, 3)))
    scored.sort(key=lambda s: -s.score)
    return scored[:limit]
