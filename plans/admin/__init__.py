"""The admin of work plans: the plans and their split pages (`work_plans`, `split`), then the
items that staff track (`items`), registered in that order. exchange.admin.exports adds its
export actions to PlanItemAdmin."""

from plans.admin.work_plans import WorkPlanAdmin

# isort: split
from plans.admin.items import PlanItemAdmin

__all__ = ["PlanItemAdmin", "WorkPlanAdmin"]
