"""The four editorial roles (groups) and the organization scope of staff.

The procedure of the seed page — 部门编制,经办公室审核后公开 — is split over four groups:
a department drafts (编制), the office reviews (审核), a publisher makes it public (发布) and an
auditor reads everything and changes nothing (审计). The groups are created by a data migration,
re-synchronized after every `migrate` and again by `setup_demo` (`ensure_role_groups`,
idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS
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

_PLAN_ITEM_EDIT = [
    "view_workplan",
    "view_plansection",
    "view_planitem",
    "change_planitem",
    "view_planprogressnote",
    "add_planprogressnote",
]
_REQUEST_HANDLING = [
    "view_informationrequest",
    "add_informationrequest",
    "change_informationrequest",
    "view_requestevent",
    "add_requestevent",
    "change_requestevent",
    "view_request_personal_data",
    "view_replytemplate",
    "export_requests",
]
_ANNUAL_REPORT_EDIT = ["view_annualreport", "add_annualreport", "change_annualreport"]
_READ_EVERYTHING = [
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
    # 依申请公开 with masked personal data: never view_request_personal_data.
    "view_informationrequest",
    "view_requestevent",
    "view_replytemplate",
    "view_annualreport",
    "view_workplan",
    "view_plansection",
    "view_planitem",
    "view_planprogressnote",
    "view_calendaroverride",
]

#: The apps whose permissions the roles name: the records core and its contexts (codenames are
#: unique across them).
ROLE_APP_LABELS = ("disclosure", "applications", "plans", "reports", "exchange", "search", "portal")

#: Permission codenames (in the ROLE_APP_LABELS apps) of each group. Re-applied after every
#: `migrate` (disclosure.apps), so permissions that later migrations create reach the groups; a
#: codename that does not exist yet (a feature not merged) is skipped with a warning.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITOR: [
        "add_disclosurerecord",
        "submit_record",
        *_RECORD_EDIT,
        *_VOCABULARY_VIEW,
        *_PLAN_ITEM_EDIT,
    ],
    REVIEWER: [
        "approve_record",
        # The office compiles the annual report and submits its record, which another reviewer
        # approves (四眼原则): reports.services.submit_annual_report.
        "submit_record",
        *_RECORD_EDIT,
        *_VOCABULARY_VIEW,
        *_REQUEST_HANDLING,
        *_PLAN_ITEM_EDIT,
        *_ANNUAL_REPORT_EDIT,
        # The office keeps the 政府信息公开指南 current (Article 12): portal.InformationGuide.
        "view_informationguide",
        "add_informationguide",
        "change_informationguide",
        "view_calendaroverride",
        # The office moves a bureau's old site over (legacy import, all rows or none).
        "import_records",
    ],
    PUBLISHER: [
        "publish_record",
        "view_disclosurerecord",
        "view_attachment",
        "view_recordkeyword",
        "view_historicaldisclosurerecord",
        *_VOCABULARY_VIEW,
        "approve_request_extension",
        "view_informationrequest",
        "view_requestevent",
        "publish_annualreport",
        "view_annualreport",
    ],
    AUDITOR: [
        "access_all_organizations",
        *_READ_EVERYTHING,
        "export_records",
        "export_audit_log",
        # The list of requests for the annual review, with ID and phone numbers masked.
        "export_requests",
    ],
}

logger = logging.getLogger(__name__)


def ensure_role_groups(
    *,
    group_model: Any = None,
    permission_model: Any = None,
    using: str = DEFAULT_DB_ALIAS,
    warn_missing: bool = True,
) -> None:
    """Create the four groups with exactly their permissions; idempotent.

    The data migration passes its historical models; everybody else the real ones. Codenames
    that do not exist (yet) are skipped, so a role may name a permission of a feature that is
    not merged: it reaches the group on the first `migrate` after the feature arrives.
    """
    if group_model is None:
        from django.contrib.auth.models import Group, Permission

        group_model, permission_model = Group, Permission
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=name)
        permissions = list(
            permission_model.objects.using(using).filter(
                content_type__app_label__in=ROLE_APP_LABELS, codename__in=codenames
            )
        )
        missing = sorted(set(codenames) - {p.codename for p in permissions})
        if missing and warn_missing:
            logger.warning("角色「%s」的权限尚不存在,已跳过:%s", name, ", ".join(missing))
        group.permissions.set(permissions)


def sync_role_groups(*, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate receiver (disclosure.apps): the groups follow ROLE_PERMISSIONS."""
    ensure_role_groups(using=using)


def sees_all_organizations(user: Any) -> bool:
    return bool(user.is_superuser or user.has_perm("disclosure.access_all_organizations"))


def accessible_organization_ids(user: Any) -> set[int] | None:
    """The user's organization and everything below it; None means all organizations."""
    from disclosure.models import StaffProfile

    if sees_all_organizations(user):
        return None
    profile = StaffProfile.objects.filter(user_id=user.pk).select_related("organization").first()
    if profile is None:
        return set()
    return profile.organization.subtree_ids()


def scope_records(user: Any, queryset: QuerySet) -> QuerySet:
    """Only the records of the user's organization (as 发布机构 or 责任部门)."""
    ids = accessible_organization_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(Q(organization_id__in=ids) | Q(department_id__in=ids))


def record_scope(user: Any) -> Callable[[Any], bool]:
    """`can_access_record` for many records (an import's rows): the scope is read once."""
    ids = accessible_organization_ids(user)

    def within(record: Any) -> bool:
        return ids is None or record.organization_id in ids or record.department_id in ids

    return within


def can_access_record(user: Any, record: Any) -> bool:
    return record_scope(user)(record)


def scope_requests(user: Any, queryset: QuerySet) -> QuerySet:
    """Only the requests addressed to the user's organization or one below it (受理机关), as
    records are scoped: an applicant's ID number is no business of another bureau."""
    ids = accessible_organization_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(organization_id__in=ids)


def accessible_organizations(user: Any, queryset: QuerySet) -> QuerySet:
    """`queryset` of organizations narrowed to those the user works for (choices in forms)."""
    ids = accessible_organization_ids(user)
    return queryset if ids is None else queryset.filter(pk__in=ids)


def can_access_organization(user: Any, organization_id: int) -> bool:
    ids = accessible_organization_ids(user)
    return ids is None or organization_id in ids


def users_scoped_to(organization: Any, queryset: QuerySet) -> QuerySet:
    """Users of `queryset` whose scope covers `organization`: superusers, holders of
    access_all_organizations, and staff of the organization or of one above it."""
    above, org = set(), organization
    while org is not None:
        above.add(org.pk)
        org = org.parent
    everywhere = Q(codename="access_all_organizations", content_type__app_label="disclosure")
    from django.contrib.auth.models import Permission

    perms = Permission.objects.filter(everywhere)
    return queryset.filter(
        Q(is_superuser=True)
        | Q(user_permissions__in=perms)
        | Q(groups__permissions__in=perms)
        | Q(staff_profile__organization_id__in=above)
    ).distinct()
