"""政府信息公开工作年度报告 (Article 49-50), in the format of 国办公开办函〔2021〕30号.

Tables two (normative documents) and three (requests) are computed from the data by
`reports.services.refresh_annual_report`; the rest is entered by staff. The report is
published as a record that goes through the editorial workflow (部门编制,经办公室审核后公开); its
status is that record's, never stored twice. Once submitted the report is frozen: its computed
tables are a snapshot, not recomputed, until a rejection or withdrawal makes it a draft again.
"""

from __future__ import annotations

from django.db import models


class AnnualReportStatus(models.TextChoices):
    """The report's status, derived from its record's (disclosure.choices.RecordStatus)."""

    DRAFT = "draft", "编制中"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "待发布"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"


def _count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


class AnnualReport(models.Model):
    organization = models.ForeignKey(
        "disclosure.Organization",
        verbose_name="报告机关",
        on_delete=models.PROTECT,
        related_name="annual_reports",
    )
    year = models.PositiveSmallIntegerField("年度")
    overview = models.TextField("一、总体情况", blank=True)

    # 二、主动公开政府信息情况: (一) computed from records; (五)(六)(八) entered by staff.
    rules_issued = models.PositiveIntegerField("规章 本年制发件数", default=0, editable=False)
    rules_repealed = models.PositiveIntegerField("规章 本年废止件数", default=0, editable=False)
    rules_valid = models.PositiveIntegerField("规章 现行有效件数", default=0, editable=False)
    normative_issued = models.PositiveIntegerField(
        "行政规范性文件 本年制发件数", default=0, editable=False
    )
    normative_repealed = models.PositiveIntegerField(
        "行政规范性文件 本年废止件数", default=0, editable=False
    )
    normative_valid = models.PositiveIntegerField(
        "行政规范性文件 现行有效件数", default=0, editable=False
    )
    licensing_decisions = _count("行政许可 本年处理决定数量")
    punishment_decisions = _count("行政处罚 本年处理决定数量")
    coercion_decisions = _count("行政强制 本年处理决定数量")
    fees_amount = models.DecimalField(
        "行政事业性收费 本年收费金额（单位：万元）", max_digits=14, decimal_places=4, default=0
    )
    table_two_source = models.CharField(
        "第（五）（六）（八）项数据来源",
        max_length=300,
        blank=True,
        help_text="例如:市政务服务管理办公室审批系统、执法监督平台、非税收入系统(截至12月31日)。",
    )

    # 三、收到和处理政府信息公开申请情况: {row key: [7 numbers]}, see reports.services.
    table_three = models.JSONField("表三(自动统计)", default=dict, blank=True, editable=False)
    computed_at = models.DateTimeField("统计时间", null=True, blank=True, editable=False)

    # 四、政府信息公开行政复议、行政诉讼情况
    review_upheld = _count("行政复议 结果维持")
    review_corrected = _count("行政复议 结果纠正")
    review_other = _count("行政复议 其他结果")
    review_pending = _count("行政复议 尚未审结")
    review_total = _count("行政复议 总计")
    suit_upheld = _count("未经复议直接起诉 结果维持")
    suit_corrected = _count("未经复议直接起诉 结果纠正")
    suit_other = _count("未经复议直接起诉 其他结果")
    suit_pending = _count("未经复议直接起诉 尚未审结")
    suit_total = _count("未经复议直接起诉 总计")
    suit_after_review_upheld = _count("复议后起诉 结果维持")
    suit_after_review_corrected = _count("复议后起诉 结果纠正")
    suit_after_review_other = _count("复议后起诉 其他结果")
    suit_after_review_pending = _count("复议后起诉 尚未审结")
    suit_after_review_total = _count("复议后起诉 总计")

    problems = models.TextField("五、存在的主要问题及改进情况", blank=True)
    other_matters = models.TextField("六、其他需要报告的事项", blank=True)

    record = models.OneToOneField(
        "disclosure.DisclosureRecord",
        verbose_name="公开信息",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annual_report",
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        db_table = "disclosure_annualreport"
        verbose_name = "政府信息公开工作年度报告"
        verbose_name_plural = "政府信息公开工作年度报告"
        ordering = ["-year", "organization"]
        permissions = [("publish_annualreport", "可发布年度报告")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="annual_report_unique_org_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}{self.year}年政府信息公开工作年度报告"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:annual_report", kwargs={"pk": self.pk})

    @property
    def title(self) -> str:
        return str(self)

    @property
    def status(self) -> str:
        """编制中 until its record is submitted; then whatever the workflow made of the record."""
        if self.record is None:
            return AnnualReportStatus.DRAFT
        return AnnualReportStatus(self.record.status)

    def get_status_display(self) -> str:
        return AnnualReportStatus(self.status).label
