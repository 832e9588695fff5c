"""Fixing a published record without taking it down: its pending revision (live + draft).

Editing a published record writes a `PendingRevision`; the record row — what the public
selectors read — stays as published. The revision goes through the record's own review, one
transaction per action as in `disclosure.workflow`: 提交 → 审核 (四眼原则, 保密审查) → 发布,
which copies it onto the record row (a new simple-history revision of the record) and deletes
it. Every action and every refusal is in the audit log, on the record.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from disclosure.actors import Actor
from disclosure.audit import record_event
from disclosure.changes import announce_public_change
from disclosure.choices import RecordStatus
from disclosure.models import (
    AuditAction,
    DisclosureRecord,
    Keyword,
    PendingRevision,
    RecordKeyword,
    RevisionStatus,
)
from disclosure.roles import can_access_record
from disclosure.sanitize import sanitize_body
from disclosure.services.records import set_record_keywords
from disclosure.workflow import (
    ActionPermissionDenied,
    ApprovalIncomplete,
    FourEyesViolation,
    ReasonRequired,
    Transition,
    TransitionNotAllowed,
    WorkflowError,
    authors_since_publication,
    ensure_baseline_revision,
    holds_permission,
    record_visibility_changed,
)

#: The content a revision may change: what the edit form shows. The workflow's own fields
#: (status, who did what, 公开方式 chosen at review, 发布时间) stay the record's.
NOT_REVISED = {"id", "published_at", "disclosure_method", "non_disclosure_reason"}
REVISED_FIELDS = [
    f for f in DisclosureRecord._meta.concrete_fields if f.editable and f.name not in NOT_REVISED
]

#: Deleted: the revision is gone once published or discarded.
GONE = "gone"
R = RevisionStatus
REVISION_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit", "提交修订审核", frozenset({R.DRAFT}), R.SUBMITTED,
            "disclosure.submit_record", AuditAction.SUBMIT,
        ),
        Transition(
            "approve", "修订审核通过", frozenset({R.SUBMITTED}), R.APPROVED,
            "disclosure.approve_record", AuditAction.APPROVE,
        ),
        Transition(
            "reject", "退回修订", frozenset({R.SUBMITTED, R.APPROVED}), R.DRAFT,
            "disclosure.approve_record", AuditAction.REJECT, needs_reason=True,
        ),
        Transition(
            "publish", "发布修订", frozenset({R.APPROVED}), GONE,
            "disclosure.publish_record", AuditAction.PUBLISH,
        ),
        Transition(
            "discard", "放弃修订", frozenset({R.DRAFT}), GONE,
            "disclosure.change_disclosurerecord", AuditAction.OTHER,
        ),
    ]
}  # fmt: skip


def pending_revision_of(record: DisclosureRecord) -> PendingRevision | None:
    return PendingRevision.objects.filter(record_id=record.pk).first()


def with_revision(record: DisclosureRecord, revision: PendingRevision | None) -> DisclosureRecord:
    """An unsaved copy of `record` showing the revision's content (the form, the 预览)."""
    shown = copy.copy(record)
    shown._state = copy.copy(record._state)
    shown._state.fields_cache = dict(record._state.fields_cache)
    if revision is None:
        return shown
    for field in REVISED_FIELDS:
        if field.attname in revision.content:
            setattr(shown, field.attname, field.to_python(revision.content[field.attname]))
    shown.revision_keywords = list(revision.keywords)  # type: ignore[attr-defined]
    # the record page reads keywords through keyword_names(): show the revision's
    shown._prefetched_objects_cache = {  # type: ignore[attr-defined]
        **getattr(record, "_prefetched_objects_cache", {}),
        "keyword_links": [
            RecordKeyword(keyword=Keyword(name=name), position=i)
            for i, name in enumerate(revision.keywords)
        ],
    }
    return shown


def revision_keywords(record: DisclosureRecord) -> list[str]:
    """The keywords the record will have: the revision's, else the live ones."""
    return list(getattr(record, "revision_keywords", None) or record.keyword_names())


def revision_transitions(*, user: Actor, revision: PendingRevision | None) -> list[Transition]:
    """The buttons a user gets for a pending revision (the services check again)."""
    if revision is None or not can_access_record(user, revision.record):
        return []
    return [
        t
        for t in REVISION_TRANSITIONS.values()
        if revision.status in t.sources and user.has_perm(t.permission)
    ]


def _content_of(record: DisclosureRecord) -> dict[str, Any]:
    return {f.attname: f.value_from_object(record) for f in REVISED_FIELDS}


def _changed_fields(live: DisclosureRecord, content: dict[str, Any]) -> list[str]:
    return [
        f.name
        for f in REVISED_FIELDS
        if f.attname in content and f.to_python(content[f.attname]) != getattr(live, f.attname)
    ]


def _refuse(
    *, actor: Actor, record: DisclosureRecord, exc: Exception, attempted: str, ip: str | None
) -> None:
    record_event(
        action=AuditAction.PERMISSION_DENIED, actor=actor, obj=record, reason=str(exc), ip=ip,
        details={"attempted": attempted},
    )  # fmt: skip


def save_revision(
    *,
    record: DisclosureRecord,
    actor: Actor,
    keywords: Iterable[str] | None = None,
    ip: str | None = None,
) -> PendingRevision:
    """Keep the edited values `record` carries as its pending revision; the row stays live.

    Refused (and audited) when the record is not published, the actor may not edit it, or the
    revision is already under review (退回 first).
    """
    record.body = sanitize_body(record.body)
    content = _content_of(record)
    try:
        with transaction.atomic():
            live = DisclosureRecord.objects.select_for_update().get(pk=record.pk)
            if not holds_permission(actor, "disclosure.change_disclosurerecord") or not (
                can_access_record(actor, live)
            ):
                raise ActionPermissionDenied(f"您没有修改「{live.title}」的权限。")
            if live.status != RecordStatus.PUBLISHED:
                raise TransitionNotAllowed(f"「{live.title}」未发布,请直接修改。")
            revision = pending_revision_of(live) or PendingRevision(
                record=live, created_by=actor, based_on_version=live.version,
                keywords=live.keyword_names(),
            )  # fmt: skip
            if revision.status != RevisionStatus.DRAFT:
                raise TransitionNotAllowed(
                    f"「{live.title}」的修订已{revision.get_status_display()[2:]},"
                    "不能修改;请审核人先退回修订。"
                )
            revision.content = content
            if keywords is not None:
                revision.keywords = [k for k in dict.fromkeys(k.strip() for k in keywords) if k]
            revision.updated_by = actor
            revision._history_user = actor  # type: ignore[attr-defined]  # simple_history
            revision.save()
            record_event(
                action=AuditAction.EDIT, actor=actor, obj=live, ip=ip,
                details={
                    "revision": revision.pk,
                    "fields": _changed_fields(live, content),
                    "keywords": revision.keywords,
                },
            )  # fmt: skip
    except WorkflowError as exc:
        _refuse(actor=actor, record=record, exc=exc, attempted="edit_revision", ip=ip)
        raise
    return revision


def _run(
    name: str,
    *,
    record: DisclosureRecord,
    actor: Actor,
    reason: str = "",
    ip: str | None = None,
    apply: Callable[[DisclosureRecord, PendingRevision, datetime.datetime], dict[str, Any] | None]
    | None = None,
) -> DisclosureRecord:
    """Lock, check, change, audit — or record the refusal and re-raise it (as workflow._run)."""
    transition = REVISION_TRANSITIONS[name]
    reason = (reason or "").strip()
    try:
        with transaction.atomic():
            live = DisclosureRecord.objects.select_for_update().get(pk=record.pk)
            if not holds_permission(actor, transition.permission):
                raise ActionPermissionDenied(f"您没有「{transition.label}」的权限。")
            if not can_access_record(actor, live):
                raise ActionPermissionDenied(
                    f"「{live.title}」不属于您所在的机构,不能{transition.label}。"
                )
            revision = pending_revision_of(live)
            if revision is None or revision.status not in transition.sources:
                state = revision.get_status_display() if revision else "没有待发布的修订"
                raise TransitionNotAllowed(f"「{live.title}」{state},不能{transition.label}。")
            if transition.needs_reason and not reason:
                raise ReasonRequired(f"{transition.label}须填写理由。")
            details = (apply(live, revision, timezone.now()) if apply else None) or {}
            details.update(revision=revision.pk, to=transition.target)
            details["from"] = revision.status
            revision._history_user = actor  # type: ignore[attr-defined]
            if transition.target == GONE:
                revision.delete()
            else:
                revision.status = transition.target
                revision.save()
            record_event(
                action=transition.audit_action, actor=actor, obj=live, reason=reason, ip=ip,
                details=details,
            )  # fmt: skip
    except WorkflowError as exc:
        _refuse(actor=actor, record=record, exc=exc, attempted=f"{name}_revision", ip=ip)
        raise
    return live


def submit_revision(
    *, record: DisclosureRecord, actor: Actor, ip: str | None = None
) -> DisclosureRecord:
    """The revision must make a complete record before anybody reviews it."""

    def apply(live: DisclosureRecord, revision: PendingRevision, now: Any) -> None:
        try:
            with_revision(live, revision).full_clean()
        except ValidationError as exc:
            messages = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
            raise TransitionNotAllowed(f"修订尚不完整,不能提交审核:{messages}") from exc
        revision.submitted_at, revision.rejection_reason = now, ""

    return _run("submit", record=record, actor=actor, ip=ip, apply=apply)


def approve_revision(
    *,
    record: DisclosureRecord,
    actor: Actor,
    confidentiality_reviewed: bool,
    ip: str | None = None,
) -> DisclosureRecord:
    """Article 17 and four-eyes as for any record: no author of the revision approves it."""

    def apply(live: DisclosureRecord, revision: PendingRevision, now: Any) -> dict[str, Any]:
        if actor.pk in authors_since_publication(live) | {revision.created_by_id}:
            raise FourEyesViolation(
                f"「{live.title}」的修订有您编制或修改的部分,须由另一位审核人审核(四眼原则)。"
            )
        if not confidentiality_reviewed:
            raise ApprovalIncomplete("审核通过前须确认已完成保密审查(条例第十七条)。")
        revision.approved_by, revision.approved_at = actor, now
        return {"confidentiality_reviewed": True}

    return _run("approve", record=record, actor=actor, ip=ip, apply=apply)


def reject_revision(
    *, record: DisclosureRecord, actor: Actor, reason: str, ip: str | None = None
) -> DisclosureRecord:
    def apply(live: DisclosureRecord, revision: PendingRevision, now: Any) -> None:
        revision.approved_by = revision.approved_at = None
        revision.rejection_reason = reason.strip()

    return _run("reject", record=record, actor=actor, reason=reason, ip=ip, apply=apply)


def discard_revision(
    *, record: DisclosureRecord, actor: Actor, ip: str | None = None
) -> DisclosureRecord:
    return _run("discard", record=record, actor=actor, ip=ip)


def publish_revision(
    *, record: DisclosureRecord, actor: Actor, ip: str | None = None
) -> DisclosureRecord:
    """The approved revision replaces the live version in one save: the page never goes away."""

    def apply(live: DisclosureRecord, revision: PendingRevision, now: Any) -> dict[str, Any]:
        ensure_baseline_revision(live)
        fields = _changed_fields(live, revision.content)
        for field in REVISED_FIELDS:
            if field.attname in revision.content:
                setattr(live, field.attname, field.to_python(revision.content[field.attname]))
        live.body = sanitize_body(live.body)
        live.version += 1
        live.updated_by = revision.updated_by
        live.approved_by, live.approved_at = revision.approved_by, revision.approved_at
        live.confidentiality_reviewed_at = revision.approved_at
        live.published_by = actor
        live._history_user = actor  # type: ignore[attr-defined]  # simple_history
        live._change_reason = "发布修订"  # type: ignore[attr-defined]
        live.save()
        set_record_keywords(record=live, names=revision.keywords)
        # the keywords are rewritten by bulk_create, which no model signal reports
        announce_public_change(record_ids=[live.pk])
        transaction.on_commit(lambda: record_visibility_changed.send(DisclosureRecord, record=live))
        return {"fields": fields, "keywords": revision.keywords, "version": live.version}

    return _run("publish", record=record, actor=actor, ip=ip, apply=apply)


REVISION_ACTIONS: dict[str, Callable[..., DisclosureRecord]] = {
    "submit": submit_revision,
    "approve": approve_revision,
    "reject": reject_revision,
    "publish": publish_revision,
    "discard": discard_revision,
}
