"""The `--actor` option of the data commands: whose name their audit entry carries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def actor_from_option(username: str | None) -> Any:
    """The staff account named on the command line, or None when none was given."""
    if not username:
        return None
    try:
        return get_user_model().objects.get_by_natural_key(username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"没有账号 {username}") from exc
