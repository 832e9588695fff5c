"""Demo staff accounts for the embedded demo (`setup_demo`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str


DEMO_ADMIN = DemoAccount(username="demo", role="管理员")


def ensure_demo_accounts(*, password: str) -> list[DemoAccount]:
    """Create or reset the demo accounts; idempotent. Returns what now exists."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=DEMO_ADMIN.username)
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    return [DEMO_ADMIN]
