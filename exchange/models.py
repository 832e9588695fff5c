"""Exports generated in the background: one row per requested file, with its progress.

A large export (over EXPORT_STREAM_MAX_ROWS rows, or when the staff member asks for it) is not
streamed to the browser but written to a private file under EXPORT_ROOT by a thread of the web
process or by `run_export_jobs`; the admin's job page shows the progress and, when done, the
download. Only the requester (or a superuser) may see or download it, and only while they still
hold the export permission (exchange.export_jobs). Jobs are written only by that module.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ExportSubject(models.TextChoices):
    RECORDS = "records", "公开信息"
    AUDIT_LOG = "audit_log", "审计日志"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSONL = "jsonl", "JSON Lines"


class ExportJob(models.Model):
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    what = models.CharField("导出内容", max_length=20, choices=ExportSubject.choices)
    format = models.CharField("格式", max_length=10, choices=ExportFormat.choices)
    english = models.BooleanField("表头用英文字段名", default=False)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    query_string = models.TextField("筛选参数", blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=ExportJobStatus.choices,
        default=ExportJobStatus.QUEUED,
        db_index=True,
    )
    rows_total = models.PositiveBigIntegerField("总行数", null=True, blank=True)
    rows_done = models.PositiveBigIntegerField("已导出行数", default=0)
    file_name = models.CharField("文件名", max_length=100, blank=True)
    file_path = models.CharField(
        "存储文件", max_length=200, blank=True, help_text="EXPORT_ROOT 下的文件名;删除后为空。"
    )
    file_size = models.PositiveBigIntegerField("文件大小(字节)", null=True, blank=True)
    error = models.TextField("错误信息", blank=True)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)

    class Meta:
        db_table = "disclosure_exportjob"
        verbose_name = "后台导出"
        verbose_name_plural = "后台导出"
        ordering = ["-created_at", "-id"]
        default_permissions = ()
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="export_job_user")]
        constraints = [
            models.CheckConstraint(
                name="export_job_status_valid",
                condition=models.Q(status__in=ExportJobStatus.values),
            ),
            models.CheckConstraint(
                name="export_job_what_valid", condition=models.Q(what__in=ExportSubject.values)
            ),
            models.CheckConstraint(
                name="export_job_format_valid", condition=models.Q(format__in=ExportFormat.values)
            ),
            # queued: not started; running: started and alive; done/failed: finished
            models.CheckConstraint(
                name="export_job_moments_match_status",
                condition=(
                    models.Q(status=ExportJobStatus.QUEUED, started_at__isnull=True)
                    | models.Q(
                        status=ExportJobStatus.RUNNING,
                        started_at__isnull=False,
                        heartbeat_at__isnull=False,
                        finished_at__isnull=True,
                    )
                    | models.Q(
                        status=ExportJobStatus.DONE,
                        finished_at__isnull=False,
                        rows_total__isnull=False,
                    )
                    | models.Q(status=ExportJobStatus.FAILED, finished_at__isnull=False)
                ),
            ),
            # a failed job says why; only a finished job has a file (nothing half-saved)
            models.CheckConstraint(
                name="export_job_failed_has_error",
                condition=~models.Q(status=ExportJobStatus.FAILED) | ~models.Q(error=""),
            ),
            models.CheckConstraint(
                name="export_job_file_only_when_done",
                condition=models.Q(status=ExportJobStatus.DONE) | models.Q(file_path=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_what_display()}导出 #{self.pk}({self.get_format_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)

    @property
    def file_available(self) -> bool:
        """Done and not yet removed by the retention (EXPORT_RETENTION_DAYS)."""
        return self.status == ExportJobStatus.DONE and bool(self.file_path)

    @property
    def percent(self) -> int:
        if self.status == ExportJobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
