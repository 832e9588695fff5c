"""Fixing a published record without taking it down: its pending revision (live + draft).

Editing a published record writes a `PendingRevision`; the record row — what the public
selectors read — stays as published. The revision goes through the record's own review, one
transaction per action as in `disclosure.workflow`: 提交 → 审核 (四眼原则, 保密审查) → 发布,
which copies it onto the record row (a new simple-history revision of the record) and deletes
it. Every action and every refusal is in the audit log, on the record.

The revision carries the record's 附件 too (`PendingAttachment`, the whole list in order):
files uploaded for it are checked as every upload and stay out of the record's `attachments`,
which every public surface reads, until publication swaps them in, in the same transaction as
the record's new version and its audit entry. Files nobody will publish (a discarded revision,
an upload replaced before publication, a published file replaced or removed by the revision)
are deleted from storage once the transaction commits.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from disclosure.actors import Actor
from disclosure.attachments import check_upload
from disclosure.audit import record_event
from disclosure.changes import announce_public_change
from disclosure.choices import RecordStatus
from disclosure.models import (
    Attachment,
    AuditAction,
    DisclosureRecord,
    Keyword,
    PendingAttachment,
    PendingRevision,
    RecordKeyword,
    RevisionStatus,
)
from disclosure.roles import can_access_record
from disclosure.sanitize import sanitize_body
from disclosure.services.editing import FieldChange
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


class AttachmentRefused(WorkflowError):
    """An upload for a revision failed the checks every upload goes through."""


@dataclass(frozen=True)
class RevisionAttachment:
    """One 附件 of the list a revision gives its record, in the list's order: it keeps a row
    the revision already has (`row`) or a published attachment of the record (`published`),
    or adds a file; an `upload` on a kept one replaces its file."""

    title: str
    row: int | None = None
    published: int | None = None
    upload: File[Any] | None = None


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
    attachments: Sequence[RevisionAttachment] | None = None,
    ip: str | None = None,
) -> PendingRevision:
    """Keep the edited values `record` carries as its pending revision; the row stays live.

    `attachments` is the whole list of 附件 the record will have (None: the revision's list
    stays as it is; a new revision starts from the published ones). Refused (and audited) when
    the record is not published, the actor may not edit it, the revision is already under
    review (退回 first), or an upload fails its checks; nothing is kept then.
    """
    record.body = sanitize_body(record.body)
    content = _content_of(record)
    written: list[str | None] = []
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
            is_new = revision.pk is None
            revision.save()
            if attachments is not None:
                _set_attachments(live, revision, attachments, written=written)
            elif is_new:
                _set_attachments(live, revision, _published_list(live), written=written)
            record_event(
                action=AuditAction.EDIT, actor=actor, obj=live, ip=ip,
                details={
                    "revision": revision.pk,
                    "fields": _changed_fields(live, content),
                    "keywords": revision.keywords,
                    "attachments": attachment_changes(live=live, revision=revision),
                },
            )  # fmt: skip
    except WorkflowError as exc:
        _delete_files(written)  # the uploads of a refused save are no one's
        _refuse(actor=actor, record=record, exc=exc, attempted="edit_revision", ip=ip)
        raise
    except BaseException:
        _delete_files(written)
        raise
    return revision


def _published_list(live: DisclosureRecord) -> list[RevisionAttachment]:
    return [RevisionAttachment(title=a.title, published=a.pk) for a in live.attachments.all()]


def _set_attachments(
    live: DisclosureRecord,
    revision: PendingRevision,
    entries: Sequence[RevisionAttachment],
    *,
    written: list[str | None],
) -> None:
    """Make `entries` the revision's 附件, in order; `written` collects the files stored."""
    rows = {row.pk: row for row in revision.attachments.all()}
    published = set(live.attachments.values_list("pk", flat=True))
    kept: set[int] = set()
    gone: list[str | None] = []
    for position, entry in enumerate(entries):
        if entry.row is not None:
            row = rows.get(entry.row)
            if row is None:
                raise ActionPermissionDenied("该附件不属于这条信息的修订。")
            kept.add(row.pk)
        elif entry.published is not None:
            if entry.published not in published:
                raise ActionPermissionDenied("该附件不属于这条信息。")
            row = PendingAttachment(revision=revision, record=live, published_id=entry.published)
        elif entry.upload is None:
            raise TransitionNotAllowed(f"新增的附件「{entry.title}」须上传文件。")
        else:
            row = PendingAttachment(revision=revision, record=live)
        if entry.upload is not None:
            try:
                checked = check_upload(entry.upload)
            except ValidationError as exc:
                raise AttachmentRefused("; ".join(exc.messages)) from None
            if row.file:
                gone.append(row.file.name)
            row.file.save(checked.original_name, entry.upload, save=False)
            written.append(row.file.name)
            row.original_name, row.size = checked.original_name, checked.size
            row.content_type = checked.content_type
        row.title = entry.title.strip() or row.original_name
        row.position = position
        row.save()
    for pk, row in rows.items():
        if pk not in kept:
            if row.file:
                gone.append(row.file.name)
            row.delete()
    _delete_files_on_commit(gone)


def _delete_files(names: Iterable[str | None]) -> None:
    storage = PendingAttachment._meta.get_field("file").storage  # type: ignore[union-attr]
    for name in names:
        if name:
            storage.delete(name)


def _delete_files_on_commit(names: Iterable[str | None]) -> None:
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: _delete_files(names))


def _attachment_line(title: str, name: str) -> str:
    return f"「{title}」({name})" if name and name != title else f"「{title}」"


def attachment_changes(*, live: DisclosureRecord, revision: PendingRevision) -> list[str]:
    """What publishing the revision does to the 附件, a line each (the audit, the reviewer)."""
    before = {a.pk: a for a in live.attachments.all()}
    rows = list(revision.attachments.all())
    lines: list[str] = []
    named = {row.published_id for row in rows}
    for attachment in before.values():
        if attachment.pk not in named:
            lines.append("删除 " + _attachment_line(attachment.title, attachment.original_name))
    for row in rows:
        old = before.get(row.published_id) if row.published_id else None
        if old is None:
            lines.append("新增 " + _attachment_line(row.title, row.original_name))
            continue
        if row.file:
            lines.append(f"替换「{old.title}」的文件:{old.original_name} → {row.original_name}")
        if row.title != old.title:
            lines.append(f"重命名「{old.title}」→「{row.title}」")
    kept_order = [row.published_id for row in rows if row.published_id in before]
    if kept_order != [pk for pk in before if pk in kept_order]:
        lines.append("调整附件顺序:" + "、".join(f"「{r.title}」" for r in rows))
    return lines


def revision_diff(*, live: DisclosureRecord, revision: PendingRevision) -> list[FieldChange]:
    """What the reviewer approves: each field, the keywords and the 附件, published → revision."""
    shown = with_revision(live, revision)
    changes = []
    for name in _changed_fields(live, revision.content):
        field = DisclosureRecord._meta.get_field(name)
        old, new = getattr(live, name), getattr(shown, name)
        if field.choices:  # type: ignore[union-attr]
            labels = dict(field.flatchoices)  # type: ignore[union-attr]
            old, new = labels.get(old, old), labels.get(new, new)
        changes.append(FieldChange(name, str(field.verbose_name), old or "", new or ""))  # type: ignore[union-attr]
    if revision.keywords != live.keyword_names():
        changes.append(
            FieldChange("keywords", "关键词", "、".join(live.keyword_names()),
                        "、".join(revision.keywords))
        )  # fmt: skip
    lines = attachment_changes(live=live, revision=revision)
    if lines:
        old_list = "、".join(f"「{a.title}」" for a in live.attachments.all()) or "(无)"
        changes.append(FieldChange("attachments", "文件下载", old_list, ";".join(lines)))
    return changes


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
    """The files uploaded for the revision go with it (after the commit): no orphans."""

    def apply(live: DisclosureRecord, revision: PendingRevision, now: Any) -> dict[str, Any]:
        rows = [row for row in revision.attachments.all() if row.file]
        _delete_files_on_commit(row.file.name for row in rows)
        return {"deleted_files": [row.original_name for row in rows]}

    return _run("discard", record=record, actor=actor, ip=ip, apply=apply)


def publish_revision(
    *, record: DisclosureRecord, actor: Actor, ip: str | None = None
) -> DisclosureRecord:
    """The approved revision replaces the live version in one save: the page never goes away."""

    def apply(live: DisclosureRecord, revision: PendingRevision, now: Any) -> dict[str, Any]:
        ensure_baseline_revision(live)
        fields = _changed_fields(live, revision.content)
        attachments = attachment_changes(live=live, revision=revision)
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
        _publish_attachments(live, revision)
        # the keywords are rewritten by bulk_create, which no model signal reports
        announce_public_change(record_ids=[live.pk])
        return {
            "fields": fields, "keywords": revision.keywords, "attachments": attachments,
            "version": live.version,
        }  # fmt: skip

    return _run("publish", record=record, actor=actor, ip=ip, apply=apply)


def _publish_attachments(live: DisclosureRecord, revision: PendingRevision) -> None:
    """The revision's 附件 become the record's: kept ones keep their id (and download link)."""
    before = {a.pk: a for a in live.attachments.all()}
    kept: set[int] = set()
    gone: list[str | None] = []
    for position, row in enumerate(revision.attachments.all()):
        attachment = before.get(row.published_id) if row.published_id else None
        if attachment is None:
            attachment = Attachment(record=live)
        else:
            kept.add(attachment.pk)
        if row.file:
            if attachment.file:
                gone.append(attachment.file.name)
            attachment.file = row.file.name  # type: ignore[assignment]  # the stored file, no copy
            attachment.original_name, attachment.size = row.original_name, row.size
            attachment.content_type = row.content_type
        if (
            attachment.pk is None
            or row.file
            or (attachment.title, attachment.position)
            != (
                row.title,
                position,
            )
        ):
            attachment.title, attachment.position = row.title, position
            attachment.save()
    for pk, attachment in before.items():
        if pk not in kept:
            gone.append(attachment.file.name)
            attachment.delete()
    _delete_files_on_commit(gone)


REVISION_ACTIONS: dict[str, Callable[..., DisclosureRecord]] = {
    "submit": submit_revision,
    "approve": approve_revision,
    "reject": reject_revision,
    "publish": publish_revision,
    "discard": discard_revision,
}
