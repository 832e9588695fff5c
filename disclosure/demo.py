"""Demo staff accounts for the embedded demo (`setup_demo`): the admin and one per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from disclosure.models import Organization, StaffProfile
from disclosure.roles import AUDITOR, EDITOR, PUBLISHER, REVIEWER, ensure_role_groups


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    group: str = ""
    #: name of the organization the account belongs to (its scope)
    organization: str = ""


DEMO_ADMIN = DemoAccount(username="demo", role="管理员")
DEMO_ROLE_ACCOUNTS = [
    DemoAccount("demo-editor", "编制", EDITOR, "无锡市教育局发展规划处"),
    DemoAccount("demo-reviewer", "审核", REVIEWER, "无锡市教育局"),
    DemoAccount("demo-publisher", "发布", PUBLISHER, "无锡市教育局"),
    DemoAccount("demo-auditor", "审计", AUDITOR, "无锡市教育局"),
]


def ensure_demo_accounts(*, password: str) -> list[DemoAccount]:
    """Create or reset the demo accounts; idempotent. Returns what now exists.

    Role accounts are made only when their organization exists (the vocabulary fixture).
    """
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=DEMO_ADMIN.username)
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    accounts = [DEMO_ADMIN]
    ensure_role_groups()
    for account in DEMO_ROLE_ACCOUNTS:
        organization = Organization.objects.filter(name=account.organization).first()
        if organization is None:
            continue
        user, _ = user_model.objects.get_or_create(username=account.username)
        user.is_staff, user.is_superuser = True, False
        user.email = f"{account.username}@example.invalid"
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=account.group)])
        StaffProfile.objects.update_or_create(user=user, defaults={"organization": organization})
        accounts.append(account)
    return accounts
