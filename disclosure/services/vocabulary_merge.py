"""Merging two organizations (or two topics) that turn out to be the same (issue 15, item 1).

Imports before script-insensitive matching created bodies twice (梁溪区民政局, 梁溪區民政局).
A merge moves everything that points to the duplicate (records, departments, staff, plans,
requests, aliases; whatever model has a foreign key to it) onto the value that stays, keeps the
duplicate's name as an alias so later imports find it, deletes the duplicate and writes one
audit entry. Historical revisions keep the ids they had: they record the past.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction

from disclosure.audit import record_event
from disclosure.changes import announce_public_change
from disclosure.convert import matching_key
from disclosure.models import AuditAction, Organization, Topic, VocabularyAlias
from disclosure.workflow import holds_permission


class MergeRefused(Exception):
    """The merge cannot be done; the message says why, in the office's words."""


def _is_history(model: type[models.Model]) -> bool:
    return (model._meta.model_name or "").startswith("historical")


def _move_references(source: models.Model, target: models.Model) -> dict[str, int]:
    """Repoint every foreign key and many-to-many link from `source` to `target`."""
    moved: dict[str, int] = {}
    for rel in type(source)._meta.related_objects:
        model = rel.related_model
        if _is_history(model) or model is VocabularyAlias:
            continue
        name = rel.field.name
        if rel.many_to_many:
            linked = list(model._base_manager.filter(**{name: source}))
            for obj in linked:
                getattr(obj, name).remove(source)
                getattr(obj, name).add(target)
            count = len(linked)
        else:
            count = model._base_manager.filter(**{name: source}).update(**{name: target})
        if count:
            moved[f"{model._meta.verbose_name}({rel.field.verbose_name})"] = count
    return moved


def _keep_alias(kind: str, source: models.Model, target: models.Model, name: str) -> None:
    """Aliases of the duplicate move over; its own name becomes one (unless it is the same
    as the kept value's name once folded: then matching finds it anyway)."""
    VocabularyAlias.objects.filter(**{kind: source}).update(**{kind: target})
    key = matching_key(name)
    if key == matching_key(str(getattr(target, "name", ""))):
        return
    if not VocabularyAlias.objects.filter(kind=kind, key=key).exists():
        VocabularyAlias(kind=kind, name=name[:100], **{kind: target}).save()


def _check(actor: Any, model: type[models.Model], source: Any, target: Any) -> None:
    label = model._meta.model_name
    if not (
        holds_permission(actor, f"disclosure.change_{label}")
        and holds_permission(actor, f"disclosure.delete_{label}")
    ):
        raise MergeRefused(f"您没有修改和删除{model._meta.verbose_name}的权限,不能合并。")
    if source.pk == target.pk:
        raise MergeRefused("请选择两个不同的值进行合并。")


def merge_organizations(
    *, source: Organization, target: Organization, actor: Any
) -> dict[str, int]:
    """Fold `source` into `target`; returns what was moved (model → count)."""
    _check(actor, Organization, source, target)
    node: Organization | None = target
    while node is not None:
        if node.pk == source.pk:
            raise MergeRefused(f"「{target}」是「{source}」的下级机构,不能把上级并入下级。")
        node = node.parent
    return _merge("organization", source, target, actor, reason="合并机构")


def merge_topics(*, source: Topic, target: Topic, actor: Any) -> dict[str, int]:
    """Fold `source` into `target`; children with the same name (in either script) merge too."""
    _check(actor, Topic, source, target)
    if source.children.exists() and target.parent_id is not None:
        raise MergeRefused(f"「{source}」有下级主题,只能并入一级主题。")
    if target.parent_id == source.pk:
        raise MergeRefused(f"「{target}」是「{source}」的下级主题,不能把上级并入下级。")
    with transaction.atomic():
        kept = {matching_key(c.name): c for c in target.children.all()}
        for child in source.children.all():
            twin = kept.get(matching_key(child.name))
            if twin is not None:
                _merge("topic", child, twin, actor, reason="合并主题")
        return _merge("topic", source, target, actor, reason="合并主题")


def _merge(kind: str, source: Any, target: Any, actor: Any, *, reason: str) -> dict[str, int]:
    name, label = source.name, str(source)
    try:
        with transaction.atomic():
            moved = _move_references(source, target)
            _keep_alias(kind, source, target, name)
            type(source)._base_manager.filter(pk=source.pk).delete()
            # records moved by queryset.update(): every public page may name the merged value
            announce_public_change()
            record_event(
                action=AuditAction.EDIT,
                actor=actor,
                obj=target,
                reason=f"{reason}:「{label}」并入「{target}」",
                details={"merged_id": source.pk, "merged_name": label, "moved": moved},
            )
    except IntegrityError as exc:
        raise MergeRefused(
            f"「{label}」与「{target}」有不能并存的数据(如同一年度的年度报告),请先处理:{exc}"
        ) from exc
    return moved
