"""The editorial workflow: the only way a record's status changes.

部门编制,经办公室审核后公开 — a department drafts, the office reviews, a publisher makes it
public. Each action below runs in one transaction that locks the record row, checks the actor's
permission and organization scope, checks the transition table, changes the row (which writes a
revision) and appends an audit entry. A refusal raises a `WorkflowError` whose message staff can
act on; the record is left as it was and the refusal itself is written to the audit log.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from disclosure.audit import record_event
from disclosure.changes import announce_public_change
from disclosure.choices import DisclosureMethod, RecordStatus
from disclosure.models import AuditAction, AuditEntry, DisclosureRecord
from disclosure.notifications import notify_author_of_rejection, notify_reviewers_of_submission
from disclosure.numbering import NumberingError, assign_index_number
from disclosure.roles import can_access_record


class WorkflowError(Exception):
    """A refused action; the message says what to do instead."""


class TransitionNotAllowed(WorkflowError):
    pass


class ActionPermissionDenied(WorkflowError):
    pass


class FourEyesViolation(ActionPermissionDenied):
    """Approval by one of the authors of the content since the last publication (四眼原则)."""


class ReasonRequired(WorkflowError):
    pass


class ApprovalIncomplete(WorkflowError):
    """Approval without the confidentiality review or a valid disclosure method."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    audit_action: str
    needs_reason: bool = False


S = RecordStatus
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit", "提交审核", frozenset({S.DRAFT}), S.SUBMITTED,
            "disclosure.submit_record", AuditAction.SUBMIT,
        ),
        Transition(
            "approve", "审核通过", frozenset({S.SUBMITTED}), S.APPROVED,
            "disclosure.approve_record", AuditAction.APPROVE,
        ),
        Transition(
            "reject", "退回修改", frozenset({S.SUBMITTED, S.APPROVED}), S.DRAFT,
            "disclosure.approve_record", AuditAction.REJECT, needs_reason=True,
        ),
        Transition(
            "publish", "发布", frozenset({S.APPROVED}), S.PUBLISHED,
            "disclosure.publish_record", AuditAction.PUBLISH,
        ),
        Transition(
            "withdraw", "撤回", frozenset({S.PUBLISHED}), S.WITHDRAWN,
            "disclosure.publish_record", AuditAction.WITHDRAW, needs_reason=True,
        ),
        Transition(
            "redraft", "重新编辑", frozenset({S.WITHDRAWN}), S.DRAFT,
            "disclosure.change_disclosurerecord", AuditAction.EDIT,
        ),
    ]
}  # fmt: skip


def ensure_baseline_revision(record: DisclosureRecord) -> None:
    """Records loaded from fixtures, imports or bulk generation have no revision yet: keep their
    state as it was before the first change, so diffs and conflicts can compare against it."""
    if not DisclosureRecord.history.filter(id=record.pk).exists():
        DisclosureRecord.history.bulk_history_create(
            [record], default_change_reason="原始版本(导入)"
        )


#: Audited actions that write a record's content: whoever did one is one of its authors.
CONTENT_ACTIONS = (AuditAction.CREATE, AuditAction.EDIT, AuditAction.RESTORE, AuditAction.IMPORT)


def authors_since_publication(record: DisclosureRecord) -> set[int]:
    """Everybody who wrote the content the public would see next: the actors of the audited
    content changes (新建, 修改, 恢复版本, 导入, 重新编辑) after the record's newest publication,
    plus the creator of a record never published and the last editor.

    The audit log is the authority here, not the revisions: it is append-only and hash-chained
    (a revision row can be edited unseen), and it is read in one query, newest first, up to the
    last 发布 entry.
    """
    return authors_since_publication_of([record])[record.pk]


def authors_since_publication_of(records: list[DisclosureRecord]) -> dict[int, set[int]]:
    """`authors_since_publication` for many records in one query (the dashboard's lists)."""
    authors = {r.pk: {r.updated_by_id} for r in records}
    published: set[int] = set()
    entries = (
        AuditEntry.objects.filter(
            object_type=DisclosureRecord._meta.label_lower,
            object_id__in=[str(r.pk) for r in records],
            action__in=(*CONTENT_ACTIONS, AuditAction.PUBLISH),
        )
        .order_by("-id")
        .values_list("object_id", "action", "actor_id")
    )
    for object_id, action, actor_id in entries:
        pk = int(object_id)
        if pk in published:
            continue
        if action == AuditAction.PUBLISH:
            published.add(pk)
        else:
            authors[pk].add(actor_id)
    for record in records:
        if record.pk not in published:
            authors[record.pk].add(record.created_by_id)
        authors[record.pk].discard(None)
    return authors


def allowed_transitions(*, user: Any, record: DisclosureRecord) -> list[Transition]:
    """What `user` may do to `record` now (for buttons; the services check again)."""
    if not can_access_record(user, record):
        return []
    return [
        t
        for t in TRANSITIONS.values()
        if record.status in t.sources and user.has_perm(t.permission)
    ]


def holds_permission(actor: Any, permission: str) -> bool:
    """The role half of every check (the organization half is `roles.can_access_record`)."""
    return actor is not None and actor.is_active and actor.has_perm(permission)


def may_publish(actor: Any) -> bool:
    """Whether `actor`'s role may publish (in the organizations of their scope)."""
    return holds_permission(actor, TRANSITIONS["publish"].permission)


def _check_permission(*, actor: Any, permission: str, record: DisclosureRecord, label: str):
    if not holds_permission(actor, permission):
        raise ActionPermissionDenied(f"您没有「{label}」的权限。")
    if not can_access_record(actor, record):
        raise ActionPermissionDenied(f"「{record.title}」不属于您所在的机构,不能{label}。")


def _run(
    name: str,
    *,
    record: DisclosureRecord,
    actor: Any,
    reason: str = "",
    ip: str | None = None,
    apply: Callable[[DisclosureRecord, datetime.datetime], dict[str, Any] | None] | None = None,
) -> DisclosureRecord:
    """Lock, check, change, revise, audit — or record the refusal and re-raise it."""
    transition = TRANSITIONS[name]
    reason = (reason or "").strip()
    try:
        with transaction.atomic():
            locked = (
                DisclosureRecord.objects.select_for_update()
                .select_related("organization")
                .get(pk=record.pk)
            )
            _check_permission(
                actor=actor, permission=transition.permission, record=locked,
                label=transition.label,
            )  # fmt: skip
            if locked.status not in transition.sources:
                raise TransitionNotAllowed(
                    f"「{locked.title}」当前状态为「{locked.get_status_display()}」,"
                    f"不能{transition.label}。"
                )
            if transition.needs_reason and not reason:
                raise ReasonRequired(f"{transition.label}须填写理由。")
            ensure_baseline_revision(locked)
            now = timezone.now()
            details = (apply(locked, now) if apply else None) or {}
            details["from"], details["to"] = locked.status, transition.target
            locked.status = transition.target
            locked.version += 1
            locked._history_user = actor
            locked._change_reason = f"{transition.label}{':' + reason if reason else ''}"
            locked.save()
            record_event(
                action=transition.audit_action, actor=actor, obj=locked, reason=reason, ip=ip,
                details=details,
            )  # fmt: skip
    except (WorkflowError, NumberingError) as exc:
        record_event(
            action=AuditAction.PERMISSION_DENIED, actor=actor, obj=record, reason=str(exc), ip=ip,
            details={"attempted": name},
        )  # fmt: skip
        if isinstance(exc, NumberingError):
            raise TransitionNotAllowed(str(exc)) from exc
        raise
    return locked


def submit_record(*, record: DisclosureRecord, actor: Any, ip: str | None = None):
    """编制 → 审核: the draft must be complete (validated) before anybody reviews it."""

    def apply(locked: DisclosureRecord, now: datetime.datetime) -> None:
        try:
            locked.full_clean()
        except ValidationError as exc:
            messages = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
            raise TransitionNotAllowed(
                f"「{locked.title}」尚不完整,不能提交审核:{messages}"
            ) from exc
        locked.submitted_by, locked.submitted_at = actor, now
        transaction.on_commit(lambda: notify_reviewers_of_submission(record=locked))

    return _run("submit", record=record, actor=actor, ip=ip, apply=apply)


def approve_record(
    *,
    record: DisclosureRecord,
    actor: Any,
    confidentiality_reviewed: bool,
    disclosure_method: str,
    non_disclosure_reason: str = "",
    ip: str | None = None,
):
    """The office's review. Article 17: information is reviewed for secrets before it is made
    public; the reviewer confirms that and chooses the 公开方式. Four-eyes: nobody approves a
    record whose content they wrote, in any edit since the last publication, not only the last.
    """

    def apply(locked: DisclosureRecord, now: datetime.datetime) -> dict[str, Any]:
        if actor.pk in authors_since_publication(locked):
            raise FourEyesViolation(
                f"「{locked.title}」的内容有您编制或修改的部分(自上次发布以来),"
                "须由另一位审核人审核(四眼原则)。"
            )
        if not confidentiality_reviewed:
            raise ApprovalIncomplete("审核通过前须确认已完成保密审查(条例第十七条)。")
        if disclosure_method not in DisclosureMethod.values:
            raise ApprovalIncomplete("请选择公开方式。")
        if (
            disclosure_method == DisclosureMethod.NOT_DISCLOSED
            and not (non_disclosure_reason or locked.non_disclosure_reason).strip()
        ):
            raise ApprovalIncomplete("不予公开须写明法定理由。")
        locked.disclosure_method = disclosure_method
        if disclosure_method == DisclosureMethod.NOT_DISCLOSED and non_disclosure_reason.strip():
            locked.non_disclosure_reason = non_disclosure_reason.strip()
        locked.approved_by, locked.approved_at = actor, now
        locked.confidentiality_reviewed_at = now
        return {"disclosure_method": disclosure_method, "confidentiality_reviewed": True}

    return _run("approve", record=record, actor=actor, ip=ip, apply=apply)


def reject_record(*, record: DisclosureRecord, actor: Any, reason: str, ip: str | None = None):
    """Back to the author as a draft, with the reason they need to fix it."""

    def apply(locked: DisclosureRecord, now: datetime.datetime) -> None:
        locked.rejected_by, locked.rejected_at = actor, now
        locked.rejection_reason = reason.strip()
        locked.approved_by = locked.approved_at = locked.confidentiality_reviewed_at = None
        transaction.on_commit(lambda: notify_author_of_rejection(record=locked))

    return _run("reject", record=record, actor=actor, reason=reason, ip=ip, apply=apply)


def publish_record(
    *,
    record: DisclosureRecord,
    actor: Any,
    at: datetime.datetime | None = None,
    ip: str | None = None,
):
    """Make an approved record public now, or at `at` (or at the start of a future 公开日期).

    A scheduled record is already `published` with `published_at` in the future: the public
    selector hides it until then (query-time guard) and `run_due_tasks` announces it when due.
    The index number is assigned here, once, and 公开日期 is set when empty.
    """

    def apply(locked: DisclosureRecord, now: datetime.datetime) -> dict[str, Any]:
        if locked.disclosure_method == DisclosureMethod.NOT_DISCLOSED:
            raise TransitionNotAllowed(f"「{locked.title}」为不予公开,不能发布。")
        moment = at
        if (
            moment is None
            and locked.publication_date
            and (locked.publication_date > timezone.localdate(now))
        ):
            moment = timezone.make_aware(
                datetime.datetime.combine(locked.publication_date, datetime.time.min)
            )
        if moment is None or moment < now:
            moment = now
        if locked.publication_date is None:
            locked.publication_date = timezone.localdate(moment)
        locked.published_by, locked.published_at = actor, moment
        locked.scheduled_publish_at = moment if moment > now else None
        locked.withdrawn_by = locked.withdrawn_at = None
        locked.withdrawal_reason = ""
        assign_index_number(record=locked)
        announce_public_change(record_ids=[locked.pk], added=True)
        return {
            "index_number": locked.index_number,
            "published_at": moment.isoformat(),
            "scheduled": locked.scheduled_publish_at is not None,
        }

    return _run("publish", record=record, actor=actor, ip=ip, apply=apply)


def withdraw_record(*, record: DisclosureRecord, actor: Any, reason: str, ip: str | None = None):
    """Take a published (or scheduled) record off the public site; the reason is kept."""

    def apply(locked: DisclosureRecord, now: datetime.datetime) -> None:
        locked.withdrawn_by, locked.withdrawn_at = actor, now
        locked.withdrawal_reason = reason.strip()
        locked.scheduled_publish_at = None
        announce_public_change(record_ids=[locked.pk])

    return _run("withdraw", record=record, actor=actor, reason=reason, ip=ip, apply=apply)


def redraft_record(*, record: DisclosureRecord, actor: Any, ip: str | None = None):
    """A withdrawn record becomes a draft again, to be corrected and reviewed anew."""

    def apply(locked: DisclosureRecord, now: datetime.datetime) -> None:
        locked.updated_by = actor
        locked.submitted_by = locked.submitted_at = None
        locked.approved_by = locked.approved_at = locked.confidentiality_reviewed_at = None

    return _run("redraft", record=record, actor=actor, ip=ip, apply=apply)


def repeal_record(
    *,
    record: DisclosureRecord,
    actor: Any,
    repealed_on: datetime.date,
    repealed_by: DisclosureRecord | None = None,
    reason: str = "",
    ip: str | None = None,
) -> DisclosureRecord:
    """Mark a published record 废止 from `repealed_on`, linking the record that repealed it.

    Not a status change: a repealed record stays public, shown as 废止.
    """
    label = "废止"
    try:
        with transaction.atomic():
            locked = DisclosureRecord.objects.select_for_update().get(pk=record.pk)
            _check_permission(
                actor=actor, permission="disclosure.publish_record", record=locked, label=label
            )
            if locked.status != RecordStatus.PUBLISHED:
                raise TransitionNotAllowed(f"只有已发布的信息才能废止;「{locked.title}」尚未发布。")
            if repealed_by is not None and repealed_by.pk == locked.pk:
                raise TransitionNotAllowed("废止依据文件不能是本文件。")
            if repealed_on < locked.issued_on:
                raise TransitionNotAllowed(
                    f"废止日期不能早于发文日期({locked.issued_on:%Y-%m-%d})。"
                )
            ensure_baseline_revision(locked)
            locked.repealed_on, locked.repealed_by = repealed_on, repealed_by
            locked.version += 1
            locked._history_user = actor
            locked._change_reason = f"{label}{':' + reason if reason else ''}"
            locked.save()
            record_event(
                action=AuditAction.REPEAL, actor=actor, obj=locked, reason=reason, ip=ip,
                details={
                    "repealed_on": repealed_on.isoformat(),
                    "repealed_by": repealed_by.pk if repealed_by else None,
                },
            )  # fmt: skip
            announce_public_change(record_ids=[locked.pk])
    except WorkflowError as exc:
        record_event(
            action=AuditAction.PERMISSION_DENIED, actor=actor, obj=record, reason=str(exc), ip=ip,
            details={"attempted": "repeal"},
        )  # fmt: skip
        raise
    return locked


# Due tasks (python manage.py run_due_tasks) ---------------------------------------------------

DUE_TASKS_MARKER = "run_due_tasks"


def publish_due_records(*, now: datetime.datetime | None = None) -> list[DisclosureRecord]:
    """Scheduled records whose moment has come: clear the schedule, announce, re-index.

    The public site already shows them from `published_at` on (query-time guard); this makes
    the row plain `published` again, so it is listed and re-editable like any other.
    """
    now = now or timezone.now()
    done: list[DisclosureRecord] = []
    due = DisclosureRecord.objects.filter(
        status=RecordStatus.PUBLISHED, scheduled_publish_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            locked = DisclosureRecord.objects.select_for_update().get(pk=pk)
            if locked.status != RecordStatus.PUBLISHED or locked.scheduled_publish_at is None:
                continue
            went_live = locked.scheduled_publish_at
            locked.scheduled_publish_at = None
            locked._change_reason = "定时发布生效"
            locked.save()
            record_event(
                action=AuditAction.PUBLISH, obj=locked, reason="定时发布生效",
                details={"scheduled": True, "went_live_at": went_live.isoformat()},
            )  # fmt: skip
            announce_public_change(record_ids=[locked.pk], added=True)
        done.append(locked)
    return done


def expire_due_records(*, today: datetime.date | None = None) -> list[DisclosureRecord]:
    """Published records that became 失效 or 废止 since the last run: re-index them.

    失效/废止 is computed from the dates, so nothing is stored; touching the row and announcing
    it lets the search index and the caches (which follow the announcements) catch up.
    """
    today = today or timezone.localdate()
    last = (
        AuditEntry.objects.filter(action=AuditAction.OTHER, details__task=DUE_TASKS_MARKER)
        .order_by("-id")
        .first()
    )
    since = timezone.localdate(last.created_at) if last else today - datetime.timedelta(days=1)
    changed = DisclosureRecord.objects.filter(status=RecordStatus.PUBLISHED).filter(
        models_q_between("valid_until", since - datetime.timedelta(days=1), today)
        | models_q_between("repealed_on", since, today + datetime.timedelta(days=1))
    )
    done = []
    for record in changed:
        record.skip_history_when_saving = True
        record.save(update_fields=["updated_at"])
        del record.skip_history_when_saving
        announce_public_change(record_ids=[record.pk])
        done.append(record)
    return done


def models_q_between(field: str, start: datetime.date, end: datetime.date) -> Q:
    """start <= field < end."""
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def run_due_tasks(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Everything time-driven, for cron/systemd; safe to run at any interval, idempotent."""
    now = now or timezone.now()
    published = publish_due_records(now=now)
    expired = expire_due_records(today=timezone.localdate(now))
    summary = {"published": len(published), "expired": len(expired)}
    record_event(
        action=AuditAction.OTHER, reason="定时任务", details={"task": DUE_TASKS_MARKER, **summary}
    )
    return summary
