"""A pending revision of a published record (live + draft, as Wagtail and GOV.UK editions do).

Editing a published record never touches the public row: the edited fields and keywords are
kept here and go through the same review (提交 → 审核 (四眼、保密审查) → 发布). Publishing the
revision copies it onto the record row, which is what the public selectors read; until then the
published version stays public and unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", "修订草稿"
    SUBMITTED = "submitted", "修订待审核"
    APPROVED = "approved", "修订已审核"


class PendingRevision(models.Model):
    record = models.OneToOneField(
        "disclosure.DisclosureRecord",
        verbose_name="公开信息",
        on_delete=models.CASCADE,
        related_name="pending_revision",
    )
    #: the record's content fields as edited: {attname: value}, dates as ISO strings
    content = models.JSONField("修订内容", default=dict, encoder=DjangoJSONEncoder)
    keywords = models.JSONField("关键词", default=list)
    status = models.CharField(
        "修订状态", max_length=20, choices=RevisionStatus.choices, default=RevisionStatus.DRAFT
    )
    based_on_version = models.PositiveIntegerField("基于的发布版本")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修订人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)
    rejection_reason = models.TextField("退回理由", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    history = HistoricalRecords(verbose_name="修订草稿历史", excluded_fields=["updated_at"])

    class Meta:
        verbose_name = "待发布修订"
        verbose_name_plural = "待发布修订"
        constraints = [
            models.CheckConstraint(
                name="pending_revision_status_valid",
                condition=Q(status__in=RevisionStatus.values),
                violation_error_message="修订状态取值无效。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record}(修订)"
