"""Saving staff edits without losing anybody's: optimistic locking on `version`.

The edit form carries the version it was loaded at. Saving claims the row with
`UPDATE … SET version = version + 1 WHERE id = … AND version = expected`; when another save or a
transition came first, nothing is written and `EditConflict` lists what changed in between, by
whom, so the second editor can redo their change on top instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.db import transaction
from django.db.models import F

from disclosure.actors import Actor
from disclosure.audit import record_event
from disclosure.changes import announce_public_change
from disclosure.choices import RecordStatus
from disclosure.models import Attachment, AuditAction, DisclosureRecord
from disclosure.roles import can_access_record
from disclosure.sanitize import sanitize_body
from disclosure.services.records import set_record_keywords
from disclosure.workflow import (
    ActionPermissionDenied,
    TransitionNotAllowed,
    WorkflowError,
    ensure_baseline_revision,
)


@dataclass(frozen=True)
class AttachmentChanges:
    """The attachments an edit adds or changes (unsaved) and removes, saved by the service in
    the edit's own transaction, so its audit entry and revision list them."""

    saved: list[Attachment] = dataclass_field(default_factory=list)
    deleted: list[Attachment] = dataclass_field(default_factory=list)

    def apply(self, record: DisclosureRecord) -> dict[str, list[str]]:
        for attachment in self.saved:
            attachment.record = record
            attachment.save()
        for attachment in self.deleted:
            attachment.delete()
        return {
            "saved": [a.title for a in self.saved],
            "deleted": [a.title for a in self.deleted],
        }


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: Any
    new: Any


class EditConflict(WorkflowError):
    def __init__(self, message: str, *, changes: list[FieldChange], editors: list[str]):
        super().__init__(message)
        self.changes = changes
        self.editors = editors


def editable_statuses(user: Actor) -> set[str]:
    """Drafts are edited by their department; a reviewer may touch up a submitted record (and
    then cannot approve it themselves). Anything further along changes only by a transition."""
    statuses: set[str] = set()
    if user.has_perm("disclosure.change_disclosurerecord"):
        statuses.add(RecordStatus.DRAFT)
        if user.has_perm("disclosure.approve_record"):
            statuses.add(RecordStatus.SUBMITTED)
    return statuses


def can_edit_record(*, user: Actor, record: DisclosureRecord) -> bool:
    return record.status in editable_statuses(user) and can_access_record(user, record)


def same_document_number(*, record: DisclosureRecord) -> list[DisclosureRecord]:
    """Other records of the same organization and year with this 文件编号: a warning for the
    editor (a typo, or a document entered twice), not a refusal — old series do repeat."""
    if not record.document_number.strip() or not record.issued_on or not record.organization_id:
        return []
    return list(
        DisclosureRecord.objects.filter(
            organization_id=record.organization_id,
            issued_on__year=record.issued_on.year,
            document_number=record.document_number.strip(),
        )
        .exclude(pk=record.pk)
        .order_by("pk")[:5]
    )


def can_revise(*, user: Actor, record: DisclosureRecord) -> bool:
    """A published record is edited as a pending revision (services.revisions) by its editors."""
    return (
        record.status == RecordStatus.PUBLISHED
        and user.has_perm("disclosure.change_disclosurerecord")
        and can_access_record(user, record)
    )


def revision_changes(old: Any, new: Any) -> list[FieldChange]:
    """Field-by-field differences between two historical revisions, labelled as on the page.

    simple-history's own diff skips non-editable fields (status, who approved, ...), which a
    reviewer needs to see, so every tracked field is compared here; related objects by name.
    """
    if old is None or new is None:
        return []
    changes = []
    for field in DisclosureRecord._meta.concrete_fields:
        if field.name in _NOT_DIFFED:
            continue
        before, after = getattr(old, field.attname), getattr(new, field.attname)
        if before == after:
            continue
        if field.is_relation and field.related_model is not None:
            names = {
                obj.pk: str(obj)
                for obj in field.related_model._default_manager.filter(pk__in=[before, after])
            }
            before, after = names.get(before, before), names.get(after, after)
        elif field.choices:
            labels = dict(field.flatchoices)
            before, after = labels.get(before, before), labels.get(after, after)
        changes.append(
            FieldChange(field=field.name, label=str(field.verbose_name), old=before, new=after)
        )
    return changes


_NOT_DIFFED = {"id", "version", "view_count", "updated_at", "created_at"}


def changes_since(*, record_pk: int, version: int) -> tuple[list[FieldChange], list[str]]:
    """What differs between the revision at `version` and the newest one, and who changed it."""
    history = DisclosureRecord.history.filter(id=record_pk)
    old = history.filter(version=version).order_by("-history_date", "-history_id").first()
    new = history.order_by("-history_date", "-history_id").first()
    editors = sorted(
        {
            str(h.history_user)
            for h in history.filter(version__gt=version).select_related("history_user")
            if h.history_user is not None
        }
    )
    return revision_changes(old, new), editors


def update_record(
    *,
    record: DisclosureRecord,
    actor: Actor,
    expected_version: int,
    keywords: Iterable[str] | None = None,
    attachments: AttachmentChanges | None = None,
    ip: str | None = None,
) -> DisclosureRecord:
    """Save `record` (carrying the edited values) if nobody saved it since `expected_version`,
    with its keywords and attachments in the same transaction as the audit entry.

    Raises EditConflict (with the changes in between), ActionPermissionDenied or
    TransitionNotAllowed; nothing is written then, and the refusal is audited.
    """
    record.body = sanitize_body(record.body)
    try:
        with transaction.atomic():
            current = DisclosureRecord.objects.select_for_update().get(pk=record.pk)
            if not actor.has_perm("disclosure.change_disclosurerecord") or not (
                can_access_record(actor, current)
            ):
                raise ActionPermissionDenied(f"您没有修改「{current.title}」的权限。")
            ensure_baseline_revision(current)
            claimed = DisclosureRecord.objects.filter(
                pk=record.pk, version=expected_version
            ).update(version=F("version") + 1)
            if not claimed:
                changes, editors = changes_since(record_pk=record.pk, version=expected_version)
                listed = "、".join(c.label for c in changes) or "状态或其他内容"
                raise EditConflict(
                    f"保存冲突:您打开「{current.title}」后,{'、'.join(editors) or '其他人'}"
                    f"已修改了 {listed}(当前版本 {current.version},您的版本 {expected_version})。"
                    "您的修改未保存,请重新打开后在最新版本上修改。",
                    changes=changes,
                    editors=editors,
                )
            if current.status not in editable_statuses(actor):
                raise TransitionNotAllowed(
                    f"「{current.title}」当前状态为「{current.get_status_display()}」,不能直接修改。"
                )
            record.status = current.status
            record.version = expected_version + 1
            record.updated_by = actor
            record._history_user = actor  # type: ignore[attr-defined]  # simple_history
            record._change_reason = "修改"  # type: ignore[attr-defined]
            record.save()
            details: dict[str, Any] = {"version": record.version}
            details.update(_save_related(record, keywords=keywords, attachments=attachments))
            changes, _ = changes_since(record_pk=record.pk, version=expected_version)
            details["fields"] = [c.field for c in changes]
            record_event(action=AuditAction.EDIT, actor=actor, obj=record, ip=ip, details=details)
            announce_public_change(record_ids=[record.pk])
    except WorkflowError as exc:
        record_event(
            action=AuditAction.PERMISSION_DENIED, actor=actor, obj=record, reason=str(exc), ip=ip,
            details={"attempted": "edit", "expected_version": expected_version},
        )  # fmt: skip
        raise
    return record


def create_draft(
    *,
    record: DisclosureRecord,
    actor: Actor,
    keywords: Iterable[str] | None = None,
    attachments: AttachmentChanges | None = None,
    ip: str | None = None,
) -> DisclosureRecord:
    """A new record starts as a draft of the actor's own organization."""
    record.body = sanitize_body(record.body)
    if not actor.has_perm("disclosure.add_disclosurerecord") or not can_access_record(
        actor, record
    ):
        exc = ActionPermissionDenied(f"您不能为「{record.organization}」新建公开信息。")
        record_event(
            action=AuditAction.PERMISSION_DENIED, actor=actor, reason=str(exc), ip=ip,
            details={"attempted": "create"},
        )  # fmt: skip
        raise exc
    with transaction.atomic():
        record.status = RecordStatus.DRAFT
        record.created_by = record.updated_by = actor
        record._history_user = actor  # type: ignore[attr-defined]  # simple_history
        record._change_reason = "新建"  # type: ignore[attr-defined]
        record.save()
        details = _save_related(record, keywords=keywords, attachments=attachments)
        record_event(action=AuditAction.CREATE, actor=actor, obj=record, ip=ip, details=details)
        announce_public_change(record_ids=[record.pk])
    return record


def _save_related(
    record: DisclosureRecord,
    *,
    keywords: Iterable[str] | None,
    attachments: AttachmentChanges | None,
) -> dict[str, Any]:
    """Keywords and attachments of an edit, for its audit entry's details."""
    details: dict[str, Any] = {}
    if keywords is not None:
        details["keywords"] = set_record_keywords(record=record, names=keywords)
    if attachments is not None and (attachments.saved or attachments.deleted):
        details["attachments"] = attachments.apply(record)
    return details


def restore_revision(
    *, record: DisclosureRecord, history_id: int, actor: Actor, ip: str | None = None
) -> DisclosureRecord:
    """Copy an old revision's content onto the record as a new draft (history is kept).

    Only drafts and withdrawn records can be restored onto, so nothing public changes unseen;
    the result goes through review again.
    """
    revision = DisclosureRecord.history.get(history_id=history_id, id=record.pk)
    content_fields = [
        f.name
        for f in DisclosureRecord._meta.fields
        if f.editable and f.name not in {"id", "created_at", "updated_at", "published_at"}
    ]
    try:
        with transaction.atomic():
            current = DisclosureRecord.objects.select_for_update().get(pk=record.pk)
            if not actor.has_perm("disclosure.change_disclosurerecord") or not (
                can_access_record(actor, current)
            ):
                raise ActionPermissionDenied(f"您没有修改「{current.title}」的权限。")
            if current.status not in (RecordStatus.DRAFT, RecordStatus.WITHDRAWN):
                raise TransitionNotAllowed(
                    f"只能恢复到草稿或已撤回的信息;「{current.title}」当前为"
                    f"「{current.get_status_display()}」。"
                )
            for name in content_fields:
                setattr(
                    current, f"{name}_id" if _is_fk(name) else name, _revision_value(revision, name)
                )
            current.body = sanitize_body(current.body)
            current.status = RecordStatus.DRAFT
            current.version += 1
            current.updated_by = actor
            current._history_user = actor  # type: ignore[attr-defined]  # simple_history
            current._change_reason = f"恢复版本 {revision.version}"  # type: ignore[attr-defined]
            current.save()
            record_event(
                action=AuditAction.RESTORE, actor=actor, obj=current, ip=ip,
                details={"history_id": history_id, "restored_version": revision.version},
            )  # fmt: skip
            announce_public_change(record_ids=[current.pk])
    except WorkflowError as exc:
        record_event(
            action=AuditAction.PERMISSION_DENIED, actor=actor, obj=record, reason=str(exc), ip=ip,
            details={"attempted": "restore", "history_id": history_id},
        )  # fmt: skip
        raise
    return current


def _is_fk(name: str) -> bool:
    return DisclosureRecord._meta.get_field(name).is_relation


def _revision_value(revision: Any, name: str) -> Any:
    return getattr(revision, f"{name}_id" if _is_fk(name) else name)


def published_revision(*, record: DisclosureRecord) -> Any:
    """The newest revision in which the record was published (for "changes since published")."""
    return (
        DisclosureRecord.history.filter(id=record.pk, status=RecordStatus.PUBLISHED)
        .order_by("-history_date", "-history_id")
        .first()
    )


def changes_since_published(*, record: DisclosureRecord) -> list[FieldChange] | None:
    """None when the record was never published."""
    published = published_revision(record=record)
    if published is None:
        return None
    latest = DisclosureRecord.history.filter(id=record.pk).order_by("-history_date").first()
    return [c for c in revision_changes(published, latest) if c.field not in _WORKFLOW_FIELDS]


_WORKFLOW_FIELDS = {
    "status", "submitted_by", "submitted_at", "approved_by", "approved_at", "published_by",
    "withdrawn_by", "withdrawn_at", "withdrawal_reason", "rejected_by", "rejected_at",
    "rejection_reason", "confidentiality_reviewed_at", "scheduled_publish_at", "updated_by",
    "published_at",
    "version",
}  # fmt: skip
