"""The admin of work plans: the plans and their split pages (`work_plans`, `split`) and the items
that staff track (`items`). exchange.admin.exports adds its export actions to PlanItemAdmin."""

from plans.admin.items import PlanItemAdmin
from plans.admin.work_plans import WorkPlanAdmin

__all__ = ["PlanItemAdmin", "WorkPlanAdmin"]
