"""`manage.py check --deploy`: the audit chain's key should not hang on SECRET_KEY."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def audit_chain_key(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if getattr(settings, "AUDIT_CHAIN_KEY", ""):
        return []
    return [
        checks.Warning(
            "AUDIT_CHAIN_KEY 未设置:审计日志哈希链的密钥由 SECRET_KEY 派生。",
            hint="设置单独的 AUDIT_CHAIN_KEY(随机长字符串,保存在数据库服务器以外);"
            "否则更换 SECRET_KEY 后,此前的审计条目都将校验失败。",
            id="disclosure.W001",
        )
    ]
