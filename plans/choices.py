"""Controlled values of work plans (moved from disclosure.choices: they are the plans'
context's own; migrations never imported them, their choices are inlined there)."""

from django.db import models


class PlanItemStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    IN_PROGRESS = "in_progress", "推进中"
    DONE = "done", "已完成"
    NOT_DONE = "not_done", "未完成"
    CANCELLED = "cancelled", "取消"


class PlanSectionKind(models.TextChoices):
    SUMMARY = "summary", "总结"
    PLAN = "plan", "计划"
