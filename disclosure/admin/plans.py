from django.contrib import admin

from disclosure.models import PlanItem, PlanSection, WorkPlan


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0


@admin.register(PlanSection)
class PlanSectionAdmin(admin.ModelAdmin):
    list_display = ["heading", "plan", "ordinal", "kind"]
    inlines = [PlanItemInline]


@admin.register(WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin):
    list_display = ["record", "updated_at"]
    raw_id_fields = ["record"]
