"""The disclosure record (政府信息公开条目) as its public page shows it, and its attachments."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from disclosure.choices import (
    DisclosureForm,
    DisclosureMethod,
    DisclosurePeriod,
    DisclosureScope,
    NormativeKind,
    RecordStatus,
    ValidityStatus,
)

if TYPE_CHECKING:
    from disclosure.models.vocabulary import Organization


def default_disclosure_forms() -> list[str]:
    return [DisclosureForm.WEBSITE]


def default_procedure() -> str:
    return settings.DISCLOSURE_DEFAULT_PROCEDURE


class DisclosureRecordQuerySet(models.QuerySet["DisclosureRecord"]):
    def publishable(self) -> DisclosureRecordQuerySet:
        """Published and disclosed (not 不予公开), whenever due: the one visibility rule, which
        `published` narrows to the records already due and the search index stores (its queries
        start from `published`, so a record scheduled for later is indexed but not found)."""
        return self.filter(status=RecordStatus.PUBLISHED).exclude(
            disclosure_method=DisclosureMethod.NOT_DISCLOSED
        )

    def published(self, *, now: datetime.datetime | None = None) -> DisclosureRecordQuerySet:
        """Published and already due: the query-time guard against showing a record early."""
        return self.publishable().filter(published_at__lte=now or timezone.now())

    def of_organization(self, organization: Organization) -> DisclosureRecordQuerySet:
        """A bureau's records include its departments' at every depth: the subtree rule of
        staff scope (Organization.subtree_ids), used by the public filter and feed too."""
        return self.filter(organization_id__in=organization.subtree_ids())

    def with_validity(self, status: str, *, today: datetime.date) -> DisclosureRecordQuerySet:
        """Filter on the derived 有效/失效/废止 state, computed from the dates as of `today`."""
        repealed = Q(repealed_on__isnull=False, repealed_on__lte=today)
        expired = Q(valid_until__isnull=False, valid_until__lt=today)
        if status == ValidityStatus.REPEALED:
            return self.filter(repealed)
        if status == ValidityStatus.EXPIRED:
            return self.filter(expired).exclude(repealed)
        if status == ValidityStatus.VALID:
            return self.exclude(repealed).exclude(expired)
        raise ValueError(f"unknown validity status: {status!r}")

    def for_listing(self) -> DisclosureRecordQuerySet:
        return self.select_related("organization", "category", "topic__parent", "genre")


#: The stored half of the public condition (`publishable`): partial indexes cover only it.
PUBLIC_ROWS = Q(status=RecordStatus.PUBLISHED) & ~Q(
    disclosure_method=DisclosureMethod.NOT_DISCLOSED
)
PUBLIC_INDEXES = {
    "record_public_pubdate": ["-publication_date", "-id"],
    "record_public_issued": ["-issued_on", "-id"],
    "record_public_title": ["title", "id"],
    "record_public_published_at": ["-published_at", "-id"],
    # The filters' columns after the sort keys: a bounded count or a page checks them (and
    # `published_at`, the due half of the public condition) in the index, without the rows.
    "record_public_category": [
        "category", "-publication_date", "-id", "published_at", "valid_until", "repealed_on"
    ],
    "record_public_org": ["organization", "-publication_date", "-id", "category", "published_at"],
    "record_public_topic": ["topic", "-publication_date", "-id", "category", "published_at"],
    "record_public_genre": ["genre", "-publication_date", "-id", "category", "published_at"],
    # a year (发文日期 range) within a column or an organization, with the sort keys: the page's
    # ids are read from the index alone and sorted (disclosure.selectors.listing_rows)
    "record_public_category_issued": [
        "category", "issued_on", "publication_date", "id", "published_at"
    ],
    "record_public_org_issued": [
        "organization", "issued_on", "publication_date", "id", "category", "published_at"
    ],
}  # fmt: skip


#: `DisclosureForm.values` builds a new list at every access; `clean` runs once per imported row.
_FORM_VALUES = frozenset(DisclosureForm.values)


class DisclosureRecord(models.Model):
    title = models.CharField("标题", max_length=300)
    index_number = models.CharField(
        "信息索引号", max_length=64, null=True, blank=True, editable=False
    )
    index_code = models.CharField("索引号机构代码", max_length=18, blank=True, editable=False)
    index_year = models.PositiveSmallIntegerField(
        "索引号年度", null=True, blank=True, editable=False
    )
    index_serial = models.PositiveIntegerField("索引号序号", null=True, blank=True, editable=False)

    organization = models.ForeignKey(
        "disclosure.Organization",
        verbose_name="发布机构",
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,  # record_org_pubdate leads with it
    )
    department = models.ForeignKey(
        "disclosure.Organization",
        verbose_name="责任部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records_as_department",
    )
    category = models.ForeignKey(
        "disclosure.Category",
        verbose_name="目录",
        on_delete=models.PROTECT,
        related_name="records",
        db_index=False,  # record_category_pubdate leads with it
    )
    topic = models.ForeignKey(
        "disclosure.Topic",
        verbose_name="主题",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    genre = models.ForeignKey(
        "disclosure.Genre",
        verbose_name="体裁",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    document_number = models.CharField("文件编号", max_length=100, blank=True)
    issued_on = models.DateField("发文日期")
    publication_date = models.DateField("公开日期", null=True, blank=True)
    disclosure_period = models.CharField(
        "公开时限",
        max_length=20,
        choices=DisclosurePeriod.choices,
        default=DisclosurePeriod.LONG_TERM,
    )
    disclosure_until = models.DateField("公开截止日期", null=True, blank=True)
    disclosure_forms = models.JSONField("公开形式", default=default_disclosure_forms, blank=True)
    disclosure_method = models.CharField(
        "公开方式",
        max_length=20,
        choices=DisclosureMethod.choices,
        default=DisclosureMethod.PROACTIVE,
    )
    non_disclosure_reason = models.TextField("不予公开理由", blank=True)
    disclosure_scope = models.CharField(
        "公开范围", max_length=20, choices=DisclosureScope.choices, default=DisclosureScope.PUBLIC
    )
    effective_on = models.DateField("生效日期", null=True, blank=True)
    valid_until = models.DateField(
        "有效期", null=True, blank=True, help_text="留空表示长期有效;过了此日期显示为失效。"
    )
    repealed_on = models.DateField("废止日期", null=True, blank=True)
    normative_kind = models.CharField(
        "规章或规范性文件",
        max_length=20,
        choices=NormativeKind.choices,
        default=NormativeKind.NONE,
        blank=True,
        help_text="规章、行政规范性文件计入年度报告表二的本年制发、本年废止、现行有效件数。",
    )
    registration_number = models.CharField(
        "登记号", max_length=100, blank=True, help_text="规范性文件的备案登记号(统一登记号)。"
    )
    repealed_by = models.ForeignKey(
        "self",
        verbose_name="废止依据文件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeals",
    )
    procedure = models.CharField("公开程序", max_length=100, default=default_procedure)
    keywords = models.ManyToManyField(
        "disclosure.Keyword",
        verbose_name="关键词",
        through="disclosure.RecordKeyword",
        related_name="records",
        blank=True,
    )
    summary = models.TextField("内容概述", blank=True)
    body = models.TextField("正文", blank=True)
    source = models.CharField("来源", max_length=100, blank=True)
    view_count = models.PositiveBigIntegerField("浏览次数", default=0, editable=False)

    status = models.CharField(
        "状态",
        max_length=20,
        choices=RecordStatus.choices,
        default=RecordStatus.DRAFT,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="编制人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # no query filters on it: see Meta.indexes
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # no query filters on it: see Meta.indexes
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # no query filters on it: see Meta.indexes
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤回人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # no query filters on it: see Meta.indexes
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField("撤回理由", blank=True, editable=False)
    version = models.PositiveIntegerField("版本号", default=1, editable=False)
    # Workflow (disclosure.workflow): scheduled publication, rejection, confidentiality review.
    scheduled_publish_at = models.DateTimeField(
        "定时发布时间", null=True, blank=True, editable=False
    )
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="退回人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,  # no query filters on it: see Meta.indexes
    )
    rejected_at = models.DateTimeField("退回时间", null=True, blank=True, editable=False)
    rejection_reason = models.TextField("退回理由", blank=True, editable=False)
    confidentiality_reviewed_at = models.DateTimeField(
        "保密审查时间", null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DisclosureRecordQuerySet.as_manager()
    #: Revisions are only ever looked up by their record (`id`), in time order: the indexes
    #: simple-history copies from the record's foreign keys and unique index number would be
    #: kept up on every save and every imported revision, and never read.
    history = HistoricalRecords(
        verbose_name="公开信息修订版本",
        excluded_fields=["view_count", "updated_at"],
        no_db_index=[
            "index_number", "organization", "department", "category", "topic", "genre",
            "repealed_by", "created_by", "updated_by", "submitted_by", "approved_by",
            "published_by", "withdrawn_by", "rejected_by",
        ],
    )  # fmt: skip

    class Meta:
        verbose_name = "公开信息"
        verbose_name_plural = "公开信息"
        permissions = [
            ("submit_record", "可提交审核"),
            ("approve_record", "可审核(通过或退回)"),
            ("publish_record", "可发布、撤回和废止"),
            ("access_all_organizations", "可访问所有机构的信息"),
        ]
        ordering = ["-publication_date", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="record_status_published"),
            models.Index(fields=["category", "-publication_date"], name="record_category_pubdate"),
            models.Index(fields=["organization", "-publication_date"], name="record_org_pubdate"),
            models.Index(fields=["-issued_on"], name="record_issued_on"),
            # when the next scheduled record goes live (disclosure.changes): a few rows at most
            models.Index(
                fields=["scheduled_publish_at"],
                name="record_scheduled_publish",
                condition=Q(scheduled_publish_at__isnull=False),
            ),
            # Listings in O(page) (issue 12): one partial index on the public rows per sort
            # order the listing offers (each read backwards for the reverse order), per
            # catalogue/organization page, for feeds (published_at), and `updated_at` for the
            # count cache's stamp (disclosure.selectors.cached_count).
            *(
                models.Index(fields=fields, name=name, condition=PUBLIC_ROWS)
                for name, fields in PUBLIC_INDEXES.items()
            ),
            models.Index(fields=["-updated_at"], name="record_updated_at"),
            # No index of its own for category and organization (the two above lead with
            # them), nor for who submitted, approved, published, withdrew or rejected a record:
            # no query looks records up by them, and each index costs every write (migration
            # 0029). Deleting a user then scans the table once per such column.
        ]
        constraints = [
            # not unique=True, which on PostgreSQL adds a LIKE index no query uses
            models.UniqueConstraint(fields=["index_number"], name="record_index_number_unique"),
            models.CheckConstraint(
                name="record_status_valid",
                condition=Q(status__in=RecordStatus.values),
                violation_error_message="状态取值无效。",
            ),
            models.CheckConstraint(
                name="record_disclosure_method_valid",
                condition=Q(disclosure_method__in=DisclosureMethod.values),
                violation_error_message="公开方式取值无效。",
            ),
            models.CheckConstraint(
                name="record_disclosure_scope_valid",
                condition=Q(disclosure_scope__in=DisclosureScope.values),
                violation_error_message="公开范围取值无效。",
            ),
            models.CheckConstraint(
                name="record_disclosure_period_valid",
                condition=(
                    Q(disclosure_period=DisclosurePeriod.LONG_TERM, disclosure_until__isnull=True)
                    | Q(
                        disclosure_period=DisclosurePeriod.TIME_LIMITED,
                        disclosure_until__isnull=False,
                    )
                ),
                violation_error_message="公开时限:限时公开须填写截止日期,长期公开不填截止日期。",
            ),
            models.CheckConstraint(
                name="record_normative_kind_valid",
                condition=Q(normative_kind__in=NormativeKind.values),
                violation_error_message="规章或规范性文件取值无效。",
            ),
            models.CheckConstraint(
                name="record_registration_number_needs_normative_kind",
                condition=Q(registration_number="") | ~Q(normative_kind=NormativeKind.NONE),
                violation_error_message="登记号只用于规章或行政规范性文件。",
            ),
            models.CheckConstraint(
                name="record_valid_until_after_issued",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("issued_on")),
                violation_error_message="有效期不能早于发文日期。",
            ),
            models.CheckConstraint(
                name="record_repealed_after_issued",
                condition=Q(repealed_on__isnull=True) | Q(repealed_on__gte=F("issued_on")),
                violation_error_message="废止日期不能早于发文日期。",
            ),
            models.CheckConstraint(
                name="record_disclosure_until_after_issued",
                condition=Q(disclosure_until__isnull=True)
                | Q(disclosure_until__gte=F("issued_on")),
                violation_error_message="公开截止日期不能早于发文日期。",
            ),
            models.CheckConstraint(
                name="record_published_has_moment",
                condition=~Q(status=RecordStatus.PUBLISHED) | Q(published_at__isnull=False),
                violation_error_message="已发布的信息须有发布时间。",
            ),
            models.CheckConstraint(
                name="record_version_positive",
                condition=Q(version__gte=1),
                violation_error_message="版本号须为正数。",
            ),
            models.UniqueConstraint(
                fields=["index_code", "index_year", "index_serial"],
                condition=Q(index_serial__isnull=False),
                name="record_unique_index_serial",
                violation_error_message="该机构本年度的索引号序号已被使用。",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:record", kwargs={"pk": self.pk})

    @property
    def is_publishable(self) -> bool:
        """The row-level form of `DisclosureRecordQuerySet.publishable` (the same rule)."""
        return (
            self.status == RecordStatus.PUBLISHED
            and self.disclosure_method != DisclosureMethod.NOT_DISCLOSED
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.issued_on:
            for field, label in (
                ("valid_until", "有效期"),
                ("repealed_on", "废止日期"),
                ("disclosure_until", "公开截止日期"),
            ):
                value = getattr(self, field)
                if value and value < self.issued_on:
                    errors[field] = f"{label}不能早于发文日期({self.issued_on:%Y-%m-%d})。"
        if self.disclosure_period == DisclosurePeriod.TIME_LIMITED and not self.disclosure_until:
            errors["disclosure_until"] = "限时公开须填写公开截止日期。"
        if self.disclosure_period == DisclosurePeriod.LONG_TERM and self.disclosure_until:
            errors["disclosure_until"] = "长期公开不填写公开截止日期。"
        if self.disclosure_method == DisclosureMethod.NOT_DISCLOSED and not (
            self.non_disclosure_reason.strip()
        ):
            errors["non_disclosure_reason"] = "不予公开须写明法定理由。"
        unknown_forms = [f for f in (self.disclosure_forms or []) if f not in _FORM_VALUES]
        if not isinstance(self.disclosure_forms, list) or unknown_forms:
            errors["disclosure_forms"] = (
                f"公开形式取值无效:{unknown_forms or self.disclosure_forms}"
            )
        if self.registration_number and self.normative_kind == NormativeKind.NONE:
            errors["registration_number"] = "登记号只用于规章或行政规范性文件,请先选择其种类。"
        if self.repealed_by_id and self.repealed_by_id == self.pk:
            errors["repealed_by"] = "废止依据文件不能是本文件。"
        if errors:
            raise ValidationError(errors)

    def validity_status(self, *, today: datetime.date | None = None) -> ValidityStatus:
        today = today or timezone.localdate()
        if self.repealed_on and self.repealed_on <= today:
            return ValidityStatus.REPEALED
        if self.valid_until and self.valid_until < today:
            return ValidityStatus.EXPIRED
        return ValidityStatus.VALID

    @property
    def validity_label(self) -> str:
        """有效期 as the record page shows it: 长期, or the last valid day."""
        return f"{self.valid_until:%Y-%m-%d}" if self.valid_until else "长期"

    @property
    def disclosure_period_label(self) -> str:
        if self.disclosure_period == DisclosurePeriod.TIME_LIMITED and self.disclosure_until:
            return f"限时公开(至{self.disclosure_until:%Y-%m-%d})"
        return self.get_disclosure_period_display()

    @property
    def disclosure_forms_label(self) -> str:
        labels = dict(DisclosureForm.choices)
        return "、".join(labels.get(value, value) for value in self.disclosure_forms or [])

    def keyword_names(self) -> list[str]:
        """Keywords in the order the editor gave them (学校,机关,总结)."""
        links = getattr(self, "_prefetched_objects_cache", {}).get("keyword_links")
        if links is None:
            links = self.keyword_links.select_related("keyword").order_by("position")
        return [link.keyword.name for link in links]


class RecordKeyword(models.Model):
    record = models.ForeignKey(
        DisclosureRecord, on_delete=models.CASCADE, related_name="keyword_links"
    )
    keyword = models.ForeignKey(
        "disclosure.Keyword", on_delete=models.PROTECT, related_name="record_links"
    )
    position = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "关键词"
        verbose_name_plural = "关键词"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["record", "keyword"], name="record_keyword_unique"),
        ]

    def __str__(self) -> str:
        return self.keyword.name


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """Random stored names: the original (often Chinese) name is kept in `original_name`."""
    import uuid

    suffix = ""
    if "." in filename:
        suffix = "." + filename.rsplit(".", 1)[1].lower()[:8]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    record = models.ForeignKey(
        DisclosureRecord,
        verbose_name="公开信息",
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    title = models.CharField("附件名称", max_length=200)
    file = models.FileField("文件", upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小(字节)", default=0)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    position = models.PositiveSmallIntegerField("顺序", default=0)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "文件下载"
        verbose_name_plural = "文件下载"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title
