"""Work plans (规划计划): a record's plan or summary split into sections and numbered items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from plans.choices import PlanItemStatus, PlanSectionKind

if TYPE_CHECKING:
    from plans.selectors import StatusCounts


class WorkPlan(models.Model):
    record = models.OneToOneField(
        "disclosure.DisclosureRecord",
        verbose_name="公开信息",
        on_delete=models.CASCADE,
        related_name="work_plan",
    )
    parser_flags = models.JSONField(
        "解析提示",
        default=list,
        blank=True,
        help_text="最近一次自动拆分时发现的问题(编号跳号、重复、过长、含表格等),供编辑核对。",
    )
    split_at = models.DateTimeField("拆分时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # Not stored: the public pages' counts, set by plans.selectors.
    summary: StatusCounts
    section_summaries: Any

    class Meta:
        db_table = "disclosure_workplan"
        verbose_name = "工作计划"
        verbose_name_plural = "工作计划"

    def __str__(self) -> str:
        return str(self.record)

    def get_absolute_url(self) -> str:
        return reverse("portal:plan", kwargs={"pk": self.record_id})


class PlanSection(models.Model):
    plan = models.ForeignKey(
        WorkPlan, verbose_name="工作计划", on_delete=models.CASCADE, related_name="sections"
    )
    ordinal = models.PositiveSmallIntegerField("序号")
    heading = models.CharField("标题", max_length=200)
    kind = models.CharField(
        "类型", max_length=10, choices=PlanSectionKind.choices, default=PlanSectionKind.PLAN
    )

    class Meta:
        db_table = "disclosure_plansection"
        verbose_name = "计划部分"
        verbose_name_plural = "计划部分"
        ordering = ["plan", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "ordinal"], name="plan_section_unique_ordinal"),
            models.CheckConstraint(
                name="plan_section_ordinal_positive", condition=models.Q(ordinal__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.heading


class PlanItem(models.Model):
    section = models.ForeignKey(
        PlanSection, verbose_name="计划部分", on_delete=models.CASCADE, related_name="items"
    )
    ordinal = models.PositiveSmallIntegerField("序号")
    heading = models.CharField("事项", max_length=300)
    text = models.TextField("内容", blank=True)
    responsible = models.ForeignKey(
        "disclosure.Organization",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    due_on = models.DateField("完成时限", null=True, blank=True)
    status = models.CharField(
        "进展", max_length=20, choices=PlanItemStatus.choices, default=PlanItemStatus.PLANNED
    )
    status_changed_at = models.DateTimeField("进展更新时间", null=True, blank=True, editable=False)
    follow_up = models.ForeignKey(
        "self",
        verbose_name="后续报告事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_by",
        help_text="后来的总结中报告本事项落实情况的那一项。",
    )
    evidence = models.ManyToManyField(
        "disclosure.DisclosureRecord",
        verbose_name="佐证材料",
        blank=True,
        related_name="evidence_for_plan_items",
    )

    # Not stored: the links the public may follow, set by plans.selectors.public_plan.
    public_follow_up: PlanItem | None
    public_reported_by: list[PlanItem]

    class Meta:
        db_table = "disclosure_planitem"
        verbose_name = "计划事项"
        verbose_name_plural = "计划事项"
        ordering = ["section", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["section", "ordinal"], name="plan_item_unique_ordinal"),
            models.CheckConstraint(
                name="plan_item_ordinal_positive", condition=models.Q(ordinal__gte=1)
            ),
            models.CheckConstraint(
                name="plan_item_status_valid",
                condition=models.Q(status__in=PlanItemStatus.values),
            ),
            models.CheckConstraint(
                name="plan_item_follow_up_not_self", condition=~Q(follow_up=F("pk"))
            ),
        ]

    def __str__(self) -> str:
        return self.heading


class PlanProgressNote(models.Model):
    """A dated line of progress (进展情况), shown on the public tracker under its item."""

    item = models.ForeignKey(
        PlanItem, verbose_name="计划事项", on_delete=models.CASCADE, related_name="progress_notes"
    )
    noted_on = models.DateField("日期")
    text = models.TextField("进展情况")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("填报时间", auto_now_add=True)

    class Meta:
        db_table = "disclosure_planprogressnote"
        verbose_name = "进展情况"
        verbose_name_plural = "进展情况"
        ordering = ["noted_on", "id"]

    def __str__(self) -> str:
        return f"{self.noted_on:%Y-%m-%d} {self.text[:30]}"
