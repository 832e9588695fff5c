"""Work plans (规划计划): a record's plan or summary split into sections and numbered items."""

from django.db import models

from disclosure.choices import PlanItemStatus, PlanSectionKind


class WorkPlan(models.Model):
    record = models.OneToOneField(
        "disclosure.DisclosureRecord",
        verbose_name="公开信息",
        on_delete=models.CASCADE,
        related_name="work_plan",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作计划"
        verbose_name_plural = "工作计划"

    def __str__(self) -> str:
        return str(self.record)


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
    status = models.CharField(
        "进展", max_length=20, choices=PlanItemStatus.choices, default=PlanItemStatus.PLANNED
    )

    class Meta:
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
        ]

    def __str__(self) -> str:
        return self.heading
