"""`manage.py check --deploy` refuses a production configuration without login protection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def staff_login_protection(
    app_configs: Sequence[AppConfig] | None, **kwargs: Any
) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    if not settings.STAFF_2FA_REQUIRED:
        messages.append(
            checks.Error(
                "PORTAL_STAFF_2FA=0:工作人员双因素认证已关闭,生产环境不允许。",
                hint="仅供演示和黑盒测试;生产环境删除 PORTAL_STAFF_2FA 或设为 1。",
                id="accounts.E001",
            )
        )
    if not getattr(settings, "AXES_ENABLED", False):
        messages.append(
            checks.Error(
                "登录失败锁定(django-axes)已关闭,生产环境不允许。",
                hint="删除 AXES_ENABLED = False。",
                id="accounts.E002",
            )
        )
    return messages
