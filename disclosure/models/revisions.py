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

from .records import attachment_upload_to


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


class PendingAttachment(models.Model):
    """One 附件 of a pending revision, in the revision's order: the whole list the record will
    have once the revision is published.

    A row keeps a published attachment (`published`, its file unchanged), replaces its file
    (`published` and a `file` of its own), or adds a new one (a `file` only). Published
    attachments no row names are removed at publication. The files uploaded here are checked as
    any upload (disclosure.attachments) and are no `Attachment` of the record until then: the
    public page, the download view, search, sitemaps, the API and the page cache, which all
    read the record's `attachments`, never see them.
    """

    revision = models.ForeignKey(
        PendingRevision,
        verbose_name="待发布修订",
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    #: the revision's record, for the admin's inline on the record's form
    record = models.ForeignKey(
        "disclosure.DisclosureRecord",
        verbose_name="公开信息",
        on_delete=models.CASCADE,
        related_name="revision_attachments",
    )
    published = models.ForeignKey(
        "disclosure.Attachment",
        verbose_name="已发布的附件",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revision_rows",
    )
    title = models.CharField("附件名称", max_length=200)
    file = models.FileField(
        "新文件", upload_to=attachment_upload_to, max_length=200, blank=True,
        help_text="上传新文件即替换已发布的文件;不上传则保留原文件。",
    )  # fmt: skip
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    size = models.PositiveBigIntegerField("大小(字节)", default=0)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "修订中的附件"
        verbose_name_plural = "修订中的附件"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                name="pending_attachment_has_a_file",
                condition=Q(published__isnull=False) | ~Q(file=""),
                violation_error_message="新增的附件须上传文件。",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def new_file(self) -> bool:
        """True when this row carries a file of its own (added, or replacing a published one)."""
        return bool(self.file)
