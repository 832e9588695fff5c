"""The four editorial roles (groups) and the organization scope of staff.

The procedure of the seed page — 部门编制,经办公室审核后公开 — is split over four groups:
a department drafts (编制), the office reviews (审核), a publisher makes it public (发布) and an
auditor reads everything and changes nothing (审计). The groups are created by a data migration
and again by `setup_demo` (`ensure_role_groups`, idempotent).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

EDITOR = "编制"
REVIEWER = "审核"
PUBLISHER = "发布"
AUDITOR = "审计"

_VOCABULARY_VIEW = [
    "view_organization",
    "view_category",
    "view_topic",
    "view_genre",
    "view_keyword",
    "add_keyword",
]
_RECORD_EDIT = [
    "view_disclosurerecord",
    "change_disclosurerecord",
    "add_attachment",
    "change_attachment",
    "delete_attachment",
    "view_attachment",
    "add_recordkeyword",
    "change_recordkeyword",
    "delete_recordkeyword",
    "view_recordkeyword",
    "view_historicaldisclosurerecord",
]

#: Permission codenames (all in the `disclosure` app) of each group.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITOR: ["add_disclosurerecord", "submit_record", *_RECORD_EDIT, *_VOCABULARY_VIEW],
    REVIEWER: ["approve_record", *_RECORD_EDIT, *_VOCABULARY_VIEW],
    PUBLISHER: [
        "publish_record",
        "view_disclosurerecord",
        "view_attachment",
        "view_recordkeyword",
        "view_historicaldisclosurerecord",
        *_VOCABULARY_VIEW,
    ],
    AUDITOR: [
        "access_all_organizations",
        "view_disclosurerecord",
        "view_historicaldisclosurerecord",
        "view_attachment",
        "view_recordkeyword",
        "view_auditentry",
        "view_organization",
        "view_category",
        "view_topic",
        "view_genre",
        "view_keyword",
        "view_staffprofile",
    ],
}


def ensure_role_groups(*, group_model: Any = None, permission_model: Any = None) -> None:
    """Create the four groups with exactly their permissions; idempotent.

    The data migration passes its historical models; everybody else the real ones.
    """
    if group_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        permissions = permission_model.objects.filter(
            content_type__app_label="disclosure", codename__in=codenames
        )
        group.permissions.set(permissions)


def sees_all_organizations(user: Any) -> bool:
    return bool(user.is_superuser or user.has_perm("disclosure.access_all_organizations"))


def accessible_organization_ids(user: Any) -> set[int] | None:
    """The user's organization and everything below it; None means all organizations."""
    from disclosure.models import Organization, StaffProfile

    if sees_all_organizations(user):
        return None
    profile = StaffProfile.objects.filter(user_id=user.pk).first()
    if profile is None:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Organization.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    ids, stack = set(), [profile.organization_id]
    while stack:
        pk = stack.pop()
        if pk not in ids:
            ids.add(pk)
            stack.extend(children.get(pk, []))
    return ids


def scope_records(user: Any, queryset: QuerySet) -> QuerySet:
    """Only the records of the user's organization (as 发布机构 or 责任部门)."""
    ids = accessible_organization_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(organization_id__in=ids) | Q(department_id__in=ids))


def can_access_record(user: Any, record: Any) -> bool:
    ids = accessible_organization_ids(user)
    return ids is None or record.organization_id in ids or record.department_id in ids
