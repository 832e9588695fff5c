"""The append-only audit log: who did what to which object, when, from where, and why.

Each entry carries an HMAC (under a key kept outside the database) of its own content and of the
entry before it, so an edited or deleted row breaks the chain at that point, and nobody without
the key can recompute the chain after it; `verify_audit_log` reports every damaged entry.
Entries are written only through `disclosure.audit.record_event`; the database refuses UPDATE,
DELETE and TRUNCATE of the table (disclosure.audit_guard).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

# Chain versions: 1 = plain SHA-256 (entries written before the chain was keyed), 2 = HMAC-SHA256.
CHAIN_LEGACY = 1
CHAIN_KEYED = 2


class AuditAction(models.TextChoices):
    CREATE = "create", "创建"
    EDIT = "edit", "修改"
    SUBMIT = "submit", "提交审核"
    APPROVE = "approve", "审核通过"
    REJECT = "reject", "退回修改"
    PUBLISH = "publish", "发布"
    SCHEDULE = "schedule", "定时发布"
    WITHDRAW = "withdraw", "撤回"
    REPEAL = "repeal", "废止"
    RESTORE = "restore", "恢复版本"
    STATUS_CHANGE = "status_change", "进展变更"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出"
    PERMISSION_DENIED = "permission_denied", "拒绝操作"
    EXPORT = "export", "导出"
    IMPORT = "import", "导入"
    OTHER = "other", "其他"
    REQUEST_SUBMIT = "request_submit", "收到公开申请"
    REQUEST_REGISTER = "request_register", "登记公开申请"
    REQUEST_CORRECTION = "request_correction", "告知补正"
    REQUEST_CORRECTION_RECEIVED = "request_correction_received", "收到补正"
    REQUEST_CONSULTATION = "request_consultation", "征求第三方意见"
    REQUEST_EXTEND = "request_extend", "延长答复期限"
    REQUEST_ANSWER = "request_answer", "答复公开申请"
    REQUEST_CLOSE = "request_close", "办结公开申请"
    REQUEST_ANONYMIZE = "request_anonymize", "申请人信息匿名化"
    ANNUAL_REPORT_REFRESH = "annual_report_refresh", "统计年度报告"
    ANNUAL_REPORT_PUBLISH = "annual_report_publish", "发布年度报告"
    ANNUAL_REPORT_SUBMIT = "annual_report_submit", "年度报告提交审核"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加,不能修改。")

    def delete(self):
        raise PermissionError("审计日志只能追加,不能删除。")


class AuditEntry(models.Model):
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=30, choices=AuditAction.choices)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=300, blank=True)
    reason = models.TextField("理由", blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    details = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("上一条哈希", max_length=64)
    entry_hash = models.CharField("本条哈希", max_length=64)
    chain_version = models.PositiveSmallIntegerField(
        "哈希版本",
        default=CHAIN_KEYED,
        choices=[(CHAIN_LEGACY, "SHA-256(无密钥,旧条目)"), (CHAIN_KEYED, "HMAC-SHA256(密钥)")],
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        default_permissions = ("view",)
        # Plain btree indexes and constraint, not db_index/unique=True, which on PostgreSQL
        # add a second, varchar_pattern_ops index to every CharField for LIKE 'x%' that no query
        # makes (the admin's filters are equality, its search icontains): each costs every write.
        indexes = [
            models.Index(fields=["action"], name="audit_action"),
            models.Index(fields=["object_type"], name="audit_object_type"),
            models.Index(fields=["object_id"], name="audit_object_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entry_hash"], name="audit_entry_hash_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加,不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加,不能删除。")


class AuditChainHead(models.Model):
    """One row: the hash of the newest entry. Locked while appending, so the chain is linear."""

    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"
        default_permissions = ()

    def __str__(self) -> str:
        return self.last_hash
