"""The batches of 浏览次数 moved from Redis to the database (disclosure/services/view_counts.py)."""

from __future__ import annotations

from django.db import models


class ViewCountBatch(models.Model):
    """One applied flush: its id is unique, so a batch re-read after a crash is never added
    twice. Rows older than 30 days are deleted by the flush."""

    batch_id = models.CharField("批次", max_length=40, unique=True)
    views = models.PositiveIntegerField("浏览次数", default=0)
    applied_at = models.DateTimeField("写入时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "浏览次数写入批次"
        verbose_name_plural = "浏览次数写入批次"

    def __str__(self) -> str:
        return self.batch_id
