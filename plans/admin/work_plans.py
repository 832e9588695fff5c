"""Work plans in the admin: the list, a plan with its sections, and the split pages
(`plans.admin.split`). Splitting goes through `plans.services.split_plan`, audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from disclosure.actors import AuthenticatedHttpRequest
from disclosure.models import DisclosureRecord
from disclosure.roles import scope_records
from plans.admin.split import ProposalForms, RecordPickForm, flags_html
from plans.models import PlanItem, PlanSection, WorkPlan
from plans.parser import parse_plan
from plans.services import may_split_plans, split_plan

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ItemCount(TypedDict):
    """The list's annotation (`get_queryset`): the plan's number of items."""

    n_items: int


class PlanSectionInline(admin.TabularInline):
    model = PlanSection
    extra = 0
    fields = ["ordinal", "heading", "kind", "item_links"]
    readonly_fields = ["ordinal", "heading", "kind", "item_links"]
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="事项(点击跟踪进展)")
    def item_links(self, section: PlanSection) -> str:
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 - a constant separator
            '<a href="{}">{}. {}</a>({})',
            (
                (
                    reverse("admin:plans_planitem_change", args=[i.pk]),
                    i.ordinal,
                    i.heading,
                    i.get_status_display(),
                )
                for i in section.items.order_by("ordinal")
            ),
        )


@admin.register(WorkPlan)
class WorkPlanAdmin(admin.ModelAdmin):
    list_display = ["record", "organization", "item_count", "flag_count", "split_at"]
    list_select_related = ["record__organization"]
    search_fields = ["record__title", "record__index_number"]
    list_filter = ["record__organization"]
    fields = ["record", "split_link", "public_link", "flags", "split_at"]
    readonly_fields = ["record", "split_link", "public_link", "flags", "split_at"]
    inlines = [PlanSectionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("sections__items"))

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="发布机构")
    def organization(self, plan: WorkPlan) -> str:
        return plan.record.organization.name

    @admin.display(description="事项数", ordering="n_items")
    def item_count(self, plan: WithAnnotations[WorkPlan, ItemCount]) -> int:
        return plan.n_items

    @admin.display(description="解析提示")
    def flag_count(self, plan: WorkPlan) -> str:
        return f"{len(plan.parser_flags)} 条" if plan.parser_flags else "无"

    @admin.display(description="解析提示")
    def flags(self, plan: WorkPlan) -> str:
        return flags_html(plan.parser_flags)

    @admin.display(description="拆分")
    def split_link(self, plan: WorkPlan) -> str:
        url = reverse("admin:plans_workplan_split", args=[plan.record_id])
        return format_html('<a href="{}">重新拆分为计划事项(先预览,保存前可修改)</a>', url)

    @admin.display(description="公开页面")
    def public_link(self, plan: WorkPlan) -> str:
        return format_html('<a href="{}">落实情况公开页面</a>', plan.get_absolute_url())

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("split/", view(self.pick_record_view), name="plans_workplan_split_pick"),
            path(
                "split/<int:record_pk>/",
                view(self.split_view),
                name="plans_workplan_split",
            ),
            *super().get_urls(),
        ]

    def _check_permission(
        self, request: AuthenticatedHttpRequest, record: DisclosureRecord | None = None
    ) -> None:
        if not may_split_plans(user=request.user, record=record):
            raise PermissionDenied

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_split": may_split_plans(user=request.user)}
        return super().changelist_view(request, extra_context)

    def get_fields(self, request, obj=None):
        """The split link only for those who may split this plan's record."""
        fields = list(super().get_fields(request, obj))
        if obj is None or not may_split_plans(user=request.user, record=obj.record):
            fields.remove("split_link")
        return fields

    def pick_record_view(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        """Entry point: choose the record whose body is to be split."""
        self._check_permission(request)
        form = RecordPickForm(request.GET or None)
        if form.is_valid():
            record = form.cleaned_data["record"]
            return HttpResponseRedirect(reverse("admin:plans_workplan_split", args=[record.pk]))
        candidates = (
            scope_records(request.user, DisclosureRecord.objects.all())
            .filter(work_plan__isnull=True)
            .filter(
                Q(genre__name__in=["规划", "计划", "总结"])
                | Q(title__contains="计划")
                | Q(title__contains="总结")
            )
            .order_by("-issued_on")[:20]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "拆分为计划事项:选择公开信息",
            "form": form,
            "candidates": candidates,
        }
        return TemplateResponse(request, "admin/plans/workplan/split_pick.html", context)

    def split_view(self, request: AuthenticatedHttpRequest, record_pk: int) -> HttpResponse:
        """Propose the items parsed from the body; staff edit them, then save in one go."""
        self._check_permission(request)
        record = get_object_or_404(DisclosureRecord, pk=record_pk)
        self._check_permission(request, record)
        parsed = parse_plan(record.body)
        saved = {
            (s, i): (heading, text)
            for s, i, heading, text in PlanItem.objects.filter(
                section__plan__record=record
            ).values_list("section__ordinal", "ordinal", "heading", "text")
        }
        forms_ = ProposalForms(
            parsed, request.POST if request.method == "POST" else None, saved=saved
        )
        if request.method == "POST" and forms_.is_valid():
            result = split_plan(
                record=record, actor=request.user, parsed=forms_.proposal(parsed.anomalies)
            )
            self.message_user(
                request,
                f"已保存:新增 {result.created} 项,更新 {result.updated} 项,"
                f"删除 {result.removed} 项。",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:plans_workplan_change", args=[result.plan.pk])
            )
        existing = len(saved)
        proposed = {
            (s.ordinal, n) for s, _, items in forms_.sections for n in range(1, len(items) + 1)
        }
        vanishing = [saved[key][0] for key in sorted(saved) if key not in proposed]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"拆分为计划事项:{record.title}",
            "record": record,
            "sections": forms_.sections,
            "flags": flags_html([{"message": a.message} for a in parsed.anomalies]),
            "has_flags": bool(parsed.anomalies),
            "existing": existing,
            "vanishing": vanishing,
        }
        return TemplateResponse(request, "admin/plans/workplan/split.html", context)
